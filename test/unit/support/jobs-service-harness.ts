import { Duplex } from 'node:stream';
import type { PinoLogger } from 'nestjs-pino';
import { vi } from 'vitest';
import type { AgentMessage, BackendNewJob } from '../../../src/backend/backend.messages';
import type { BackendSender } from '../../../src/backend/backend-sender';
import { parseAgentConfig } from '../../../src/config/agent-config';
import type { DockerEvents } from '../../../src/docker/docker-events.service';
import type { DockerGateway } from '../../../src/docker/docker.gateway';
import type { ContainerEvent } from '../../../src/docker/docker.types';
import type { EnvironmentCatalog } from '../../../src/environments/environment-catalog.service';
import type { GradingEnvironment } from '../../../src/environments/grading-environment';
import { jobFolderLayout } from '../../../src/job-files/job-folder-layout';
import type { JobFolders } from '../../../src/job-files/job-folders';
import { readContainerFrame, type ContainerFrameTask } from '../../../src/jobs/container-frame';
import { ContainerFrames } from '../../../src/jobs/container-frames';
import { GradingContainers } from '../../../src/jobs/grading-containers';
import type { EngineFacts } from '../../../src/docker/engine-facts';
import { JobCompletion } from '../../../src/jobs/job-completion';
import { JobHooks } from '../../../src/jobs/job-hooks';
import { JobsService } from '../../../src/jobs/jobs.service';
import type { FolderRemovalTurns } from '../../../src/jobs/folder-removal-turns';
import { RunningJobs } from '../../../src/jobs/running-jobs.registry';
import { decode } from '../../../src/msgpack/msgpack.codec';
import { PortPool } from '../../../src/ports/port-pool';
import type { ContainerStorageQuota } from '../../../src/timeouts/container-storage-quota';
import type { DiskLimitsService } from '../../../src/timeouts/disk-limits.service';
import type { TimeoutsService } from '../../../src/timeouts/timeouts.service';
import type { WarmPool } from '../../../src/warm-pool/warm-pool.service';
import type { WorkerPool } from '../../../src/worker-pool/worker-pool';

/** JobsService over fakes (Docker in memory, no files, no clock): shared by its unit tests and the fuzzing. */
export const silentLogger = { info: vi.fn(), warn: vi.fn(), error: vi.fn(), debug: vi.fn() } as unknown as PinoLogger;
export const config = parseAgentConfig({ AGENT_BACKEND_ADDR: 'tcp://127.0.0.1:1', AGENT_DEBUG_PORTS: '1000-1001', AGENT_ID: 'unit' });
export const environment: GradingEnvironment = {
  envtype: 'docker',
  name: 'default',
  imageId: 'sha256:x',
  created: 0,
  generation: 4,
  ports: [],
  advertised: true,
  runtime: { dockerRuntime: 'runc', envtype: 'docker', runAsRoot: false, sharedKernel: true, gpu: false },
};
export const folder = jobFolderLayout('/w/j');

/** The worker thread is an I/O edge: here the same task runs in this thread. */
function inlinePool() {
  return { run: vi.fn(async (_file: string, task: ContainerFrameTask) => readContainerFrame(task)) };
}

/** A Docker engine in memory: containers run until killed; kill emits die; any step can be made to fail. */
export class FakeDocker {
  readonly running = new Set<string>();
  readonly removed: string[] = [];
  /** attach streams: what the agent writes is kept apart from what the container sends */
  readonly streams = new Map<string, Duplex>();
  failAt?: 'create' | 'attach' | 'start';
  oomKilled = false;
  private next = 0;
  private emit: (e: ContainerEvent) => void = () => {};

  listen(listener: (e: ContainerEvent) => void) {
    this.emit = listener;
    return () => {};
  }

  createContainer = vi.fn(async () => {
    if (this.failAt === 'create') throw new Error('create refused');
    return `c${++this.next}`;
  });
  attach = vi.fn(async (id: string) => {
    if (this.failAt === 'attach') throw new Error('attach refused');
    const stream = new Duplex({ read() {}, write: (_chunk, _encoding, callback) => callback() });
    this.streams.set(id, stream);
    return stream;
  });
  start = vi.fn(async (id: string) => {
    if (this.failAt === 'start') throw new Error('start refused');
    this.running.add(id);
  });
  kill = vi.fn(async (id: string) => {
    if (this.running.delete(id)) this.die(id);
  });
  inspect = vi.fn(async (id: string) => ({ id, running: this.running.has(id), exitCode: 137, oomKilled: this.oomKilled, pid: 1, ports: {} }));
  diedOfMemory = vi.fn(async (_id: string, exitCode: number | undefined) => exitCode === 137 && this.oomKilled);
  remove = vi.fn(async (id: string) => {
    this.removed.push(id);
  });

  die(id: string, exitCode = 0): void {
    this.running.delete(id);
    this.streams.get(id)?.push(null);
    setImmediate(() => this.emit({ kind: 'die', containerId: id, exitCode, timeNano: 0n }));
  }

  oom(id: string): void {
    this.emit({ kind: 'oom', containerId: id, timeNano: 0n });
  }

  /** The container sends one framed message on stdout, Docker-multiplexed. */
  say(id: string, frame: Buffer): void {
    const header = Buffer.alloc(8);
    header[0] = 1;
    header.writeUInt32BE(frame.length, 4);
    this.streams.get(id)?.push(Buffer.concat([header, frame]));
  }

  /** The container sends one framed result map, then exits. */
  finishWith(id: string, frame: Buffer): void {
    this.say(id, frame);
    this.die(id);
  }
}
export function newJob(id: string, overrides: Partial<BackendNewJob> = {}): BackendNewJob {
  return {
    '@type': 'BackendNewJob',
    job_id: id,
    course_id: 'c',
    task_id: 't',
    task_problems: {},
    inputdata: { '@state': 'st' },
    environment_type: 'docker',
    environment: 'default',
    environment_parameters: {},
    debug: false,
    ...overrides,
  };
}

export function createJobsHarness(logger: PinoLogger = silentLogger) {
  const docker = new FakeDocker();
  const sent: AgentMessage[] = [];
  const ports = new PortPool(config);
  const folders = { prepare: vi.fn(async () => folder), removeAfterJob: vi.fn(async () => undefined), hideHostPaths: vi.fn((text: string) => text) };
  const timeouts = { watch: vi.fn(), started: vi.fn(), unwatch: vi.fn(), checkNow: vi.fn(async (): Promise<void> => undefined) };
  const warmPool = { take: vi.fn(async (): Promise<unknown> => undefined), jobSlotsInUse: vi.fn() };
  const pool = inlinePool();
  const disk = { watchJob: vi.fn(), addPart: vi.fn(), unwatchJob: vi.fn() };
  const quota = { storageOption: async () => undefined } as unknown as ContainerStorageQuota;
  const sender = {
    send: vi.fn(async (m: AgentMessage) => void sent.push(m)),
    sendEncoded: vi.fn(async (_type: string, frame: Uint8Array) => void sent.push(decode(frame) as AgentMessage)),
  } as unknown as BackendSender;
  const catalog = {
    find: (envtype: string, name: string) => (envtype === 'docker' && name === 'default' ? environment : undefined),
    runtimes: () => [environment.runtime],
  } as unknown as EnvironmentCatalog;
  const engine = { get: async () => ({ maxMemoryMiBPerJob: 1000, openFilesPerJob: 1024, cgroupVersion: 1 }) } as EngineFacts;
  const dockerEvents = {
    subscribe: (l: (e: ContainerEvent) => void) => docker.listen(l),
    isAlive: vi.fn(() => true),
    waitOpen: vi.fn(async (_withinMs: number) => true),
  };
  const events = dockerEvents as unknown as DockerEvents;
  const removals = { gradingJobs: vi.fn() };
  const jobs = new RunningJobs(warmPool as unknown as WarmPool, removals as unknown as FolderRemovalTurns);
  const hooks = new JobHooks();
  const gateway = docker as unknown as DockerGateway;
  const completion = new JobCompletion(
    logger, jobs, sender, gateway, folders as unknown as JobFolders, timeouts as unknown as TimeoutsService,
    disk as unknown as DiskLimitsService, ports, hooks,
  );
  const containers = new GradingContainers(
    config, gateway, folders as unknown as JobFolders, warmPool as unknown as WarmPool, quota, jobs, disk as unknown as DiskLimitsService,
  );
  const service = new JobsService(
    logger, config, jobs, sender, gateway, events, catalog, timeouts as unknown as TimeoutsService,
    disk as unknown as DiskLimitsService, ports, engine, hooks, completion, new ContainerFrames(config, pool as unknown as WorkerPool), containers,
  );
  service.onModuleInit();
  const done = (jobId: string) => sent.filter((m) => m['@type'] === 'AgentJobDone' && m.job_id === jobId);
  return { docker, sent, ports, folders, timeouts, disk, jobs, service, done, warmPool, pool, dockerEvents, removals };
}

export type JobsHarness = ReturnType<typeof createJobsHarness>;
