import type { Duplex } from 'node:stream';

/** Body of POST /containers/create, as the Docker Engine API takes it (only the fields the agent sets). */
export interface ContainerCreateBody {
  name?: string;
  Image: string;
  Cmd?: string[];
  Env?: string[];
  Labels: Record<string, string>;
  Tty: false;
  OpenStdin: boolean;
  StdinOnce: boolean;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  ExposedPorts?: Record<string, Record<string, never>>;
  HostConfig: {
    Runtime?: string;
    Memory: number;
    MemorySwap: number;
    MemorySwappiness?: number;
    OomKillDisable?: boolean;
    PidsLimit?: number;
    NetworkMode: string;
    PortBindings?: Record<string, { HostIp?: string; HostPort: string }[]>;
    Binds: string[];
    Ulimits?: { Name: string; Soft: number; Hard: number }[];
    ExtraHosts?: string[];
    SecurityOpt?: string[];
    Init?: boolean;
    /** size of the writable layer; only overlay2 over xfs with project quotas accepts it */
    StorageOpt?: { size: string };
  };
}

export interface ImageSummary {
  id: string;
  /** unix seconds */
  created: number;
  labels: Record<string, string>;
}

export interface EngineInfo {
  runtimes: string[];
  defaultRuntime: string;
  cgroupVersion: 1 | 2;
  memTotalBytes: number;
  /** cgroup driver as dockerd reports it ("cgroupfs" or "systemd"): needed to find a container's cgroup folder */
  cgroupDriver: string;
  /** storage driver ("overlay2"…) and the file system under it ("xfs", "extfs"…), as `docker info` says */
  storageDriver: string;
  backingFilesystem: string;
}

export interface ContainerState {
  id: string;
  running: boolean;
  exitCode: number | null;
  oomKilled: boolean;
  pid: number;
  /** host ports Docker bound, by "22/tcp" */
  ports: Record<string, number>;
}

export interface OwnedContainer {
  id: string;
  jobId: string | undefined;
  role: string | undefined;
  state: string;
}

export const CONTAINER_EVENT_KINDS = ['die', 'oom'] as const;
export type ContainerEventKind = (typeof CONTAINER_EVENT_KINDS)[number];

export interface ContainerEvent {
  kind: ContainerEventKind;
  containerId: string;
  /** die only */
  exitCode?: number;
  /** nanoseconds since the epoch, as Docker gives it; used to resume the stream without missing an event */
  timeNano: bigint;
}

/** The raw hijacked attach connection: write = the container's stdin, read = Docker's multiplexed stdout/stderr. */
export type AttachStream = Duplex;
