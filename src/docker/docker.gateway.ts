import type { Readable } from 'node:stream';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type Docker from 'dockerode';
import { AgentConfig } from '../config/agent-config';
import { Telemetry } from '../telemetry/telemetry';
import { timeDockerCalls } from './docker-api-timing';
import { createDockerClient } from './docker.client';
import { IMAGE_LABEL_NAME, LABEL_AGENT_ID, LABEL_JOB_ID, LABEL_ROLE } from './docker.labels';
import { type AttachStream, CONTAINER_EVENT_KINDS, type ContainerCreateBody, type ContainerState, type EngineInfo, type ImageSummary, type OwnedContainer } from './docker.types';

const SIGKILL_EXIT_CODE = 137;

/** A Docker API call that got no answer within AGENT_DOCKER_TIMEOUT_MS. */
export class DockerDeadlineError extends Error {}

type Deadline = { abortSignal: AbortSignal };

/**
 * The only place that calls the Docker Engine API for short requests. Errors propagate as thrown Errors. Every call
 * has a deadline (`dockerTimeoutMs`), after which it is aborted and fails with a DockerDeadlineError; the event and
 * attach streams, long by nature, have none once open.
 */
@Injectable()
export class DockerGateway {
  private readonly api: Docker = createDockerClient();
  private readonly streams: Docker = createDockerClient();
  @Optional() @Inject(Telemetry) private readonly telemetry = new Telemetry();

  constructor(private readonly config: AgentConfig) {
    timeDockerCalls(this.api, (timing) => this.telemetry.record('docker.call', timing));
  }

  /** Resolves when the engine answers. */
  async ping(): Promise<void> {
    await this.api.ping();
  }

  async engineInfo(): Promise<EngineInfo> {
    // dockerode's typings omit info()'s options argument, which carries the abort signal
    const api = this.api as unknown as { info(options: Deadline): Promise<Record<string, any>> };
    const info = await this.call('info', (deadline) => api.info(deadline));
    return {
      runtimes: Object.keys(info.Runtimes ?? {}),
      defaultRuntime: info.DefaultRuntime ?? 'runc',
      cgroupVersion: String(info.CgroupVersion ?? '1') === '2' ? 2 : 1,
      memTotalBytes: Number(info.MemTotal ?? 0),
      cgroupDriver: String(info.CgroupDriver ?? 'cgroupfs'),
      storageDriver: String(info.Driver ?? ''),
      backingFilesystem: String((info.DriverStatus as [string, string][] | undefined)?.find(([key]) => key === 'Backing Filesystem')?.[1] ?? ''),
    };
  }

  async listGradingImages(): Promise<ImageSummary[]> {
    const images = await this.call('list images', (deadline) =>
      this.api.listImages({ filters: { label: [IMAGE_LABEL_NAME] }, ...deadline }),
    );
    return images.map((i) => ({ id: i.Id, created: i.Created, labels: i.Labels ?? {} }));
  }

  async createContainer(body: ContainerCreateBody): Promise<string> {
    const container = await this.call('create', (deadline) =>
      this.api.createContainer({ ...(body as unknown as Docker.ContainerCreateOptions), ...deadline }),
    );
    return container.id;
  }

  /**
   * Hijacked attach to stdin+stdout (stderr stays in the container's log), opened before start so nothing is missed.
   * Only the opening has a deadline; a stream that opens after it is closed at once.
   */
  async attach(id: string): Promise<AttachStream> {
    const opening = this.streams.getContainer(id).attach({ stream: true, stdin: true, stdout: true, stderr: false, hijack: true });
    opening.catch(() => undefined);
    const signal = AbortSignal.timeout(this.config.dockerTimeoutMs);
    try {
      return (await Promise.race([opening, this.expiry('attach', signal)])) as unknown as AttachStream;
    } catch (error) {
      if (signal.aborted) void opening.then((late) => (late as { destroy?: () => void }).destroy?.(), () => undefined);
      throw error;
    }
  }

  async start(id: string): Promise<void> {
    await this.call('start', (deadline) => this.api.getContainer(id).start(deadline));
  }

  /** Sets a running container's memory limit: memory and memory+swap in one call (either alone fails on cgroup v1 when it would cross the other). */
  async updateMemory(id: string, memoryMiB: number): Promise<void> {
    const bytes = memoryMiB * 1024 * 1024;
    await this.call('update', (deadline) => this.api.getContainer(id).update({ Memory: bytes, MemorySwap: bytes, ...deadline }));
  }

  /** Kills; a container that is already stopped or gone is not an error. */
  async kill(id: string): Promise<void> {
    await this.call('kill', (deadline) => this.api.getContainer(id).kill(deadline)).catch(ignoreGoneOrStopped);
  }

  /** Force-removes with its anonymous volumes; a container already gone is not an error. */
  async remove(id: string): Promise<void> {
    await this.call('remove', (deadline) => this.api.getContainer(id).remove({ force: true, v: true, ...deadline })).catch(
      ignoreGoneOrStopped,
    );
  }

  /** Undefined when the container does not exist. */
  async inspect(id: string): Promise<ContainerState | undefined> {
    try {
      const c = await this.call('inspect', (deadline) => this.api.getContainer(id).inspect(deadline));
      const ports: Record<string, number> = {};
      for (const [port, bindings] of Object.entries(c.NetworkSettings?.Ports ?? {})) {
        const hostPort = bindings?.[0]?.HostPort;
        if (hostPort) ports[port] = Number(hostPort);
      }
      return {
        id: c.Id,
        running: c.State.Running,
        exitCode: c.State.Running ? null : c.State.ExitCode,
        oomKilled: c.State.OOMKilled,
        pid: c.State.Pid,
        ports,
      };
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  /** The container's SecurityOpt (SELinux label options); a student container gets its parent's. */
  async securityOptions(id: string): Promise<string[]> {
    const c = await this.call('inspect', (deadline) => this.api.getContainer(id).inspect(deadline));
    return c.HostConfig?.SecurityOpt ?? [];
  }

  /**
   * Whether a container that died with `exitCode` was killed by the kernel for memory. On cgroup v2 the in-kernel OOM
   * killer cannot be disabled, so Docker's `oom` event may never come: only a SIGKILL death with `OOMKilled` set.
   */
  async diedOfMemory(id: string, exitCode: number | undefined): Promise<boolean> {
    if (exitCode !== SIGKILL_EXIT_CODE) return false;
    const state = await this.inspect(id).catch(() => undefined);
    return state?.oomKilled ?? false;
  }

  /** The host folder holding what the container wrote over its image (overlay2's upper dir); undefined for other drivers or when gone. */
  async writableLayerFolder(id: string): Promise<string | undefined> {
    const c = await this.api.getContainer(id).inspect().catch((error: { statusCode?: number }) => {
      if (error.statusCode === 404) return undefined;
      throw error;
    });
    const data = c?.GraphDriver?.Data as { UpperDir?: string } | undefined; // dockerode types only devicemapper's fields
    return c?.GraphDriver?.Name === 'overlay2' ? data?.UpperDir : undefined;
  }

  /** Bytes written over the image, as dockerd counts them (it walks the whole layer: slow for big layers); 0 when gone. */
  async writableLayerBytes(id: string): Promise<number> {
    // dockerode passes options as the query string, but does not type `size`
    const c = await this.api.getContainer(id).inspect({ size: true } as Docker.ContainerInspectOptions).catch((error: { statusCode?: number }) => {
      if (error.statusCode === 404) return undefined;
      throw error;
    });
    return Number((c as { SizeRw?: number } | undefined)?.SizeRw ?? 0);
  }

  /**
   * Whether the engine takes a per-container writable-layer size (overlay2 over xfs with pquota): a container is created
   * with one, then removed. Rejects with Docker's refusal when it does not.
   */
  async probeStorageSize(image: string): Promise<void> {
    const container = await this.api.createContainer({
      Image: image,
      Labels: { [LABEL_AGENT_ID]: this.config.agentId, [LABEL_ROLE]: 'probe' },
      HostConfig: { StorageOpt: { size: '64m' } },
    });
    await container.remove({ force: true });
  }

  /** Every container (running or not) labelled as this agent's. */
  async listOwnContainers(): Promise<OwnedContainer[]> {
    const list = await this.call('list containers', (deadline) =>
      this.api.listContainers({ all: true, filters: { label: [`${LABEL_AGENT_ID}=${this.config.agentId}`] }, ...deadline }),
    );
    return list.map((c) => ({ id: c.Id, jobId: c.Labels[LABEL_JOB_ID], role: c.Labels[LABEL_ROLE], state: c.State }));
  }

  /**
   * Docker's event stream, restricted to die/oom events of this agent's containers: raw JSON objects. `since` is
   * `<seconds>.<nanoseconds>`; without it the stream starts with the next event.
   */
  async openContainerEventStream(since?: string): Promise<Readable> {
    const filters: Docker.GetEventsOptions['filters'] = {
      type: ['container'],
      event: [...CONTAINER_EVENT_KINDS],
      label: [`${LABEL_AGENT_ID}=${this.config.agentId}`],
    };
    // dockerode types `since` as a number; the API takes the string form, which keeps nanosecond precision
    const stream = await this.streams.getEvents({ filters, ...(since === undefined ? {} : { since: since as unknown as number }) });
    return stream as Readable;
  }

  /** Docker's one-shot stats of a container (the CPU fallback for a remote engine). */
  async oneShotStats(id: string): Promise<Docker.ContainerStats> {
    return this.call('stats', (deadline) =>
      this.streams.getContainer(id).stats({ stream: false, 'one-shot': true, ...deadline }) as Promise<Docker.ContainerStats>,
    );
  }

  /** The client for long-lived streams, for the event subscription. */
  streamingClient(): Docker {
    return this.streams;
  }

  /** Runs one request with the deadline: dockerode aborts it, and the race makes sure it is given up on all the same. */
  private async call<T>(what: string, request: (deadline: Deadline) => Promise<T>): Promise<T> {
    const abortSignal = AbortSignal.timeout(this.config.dockerTimeoutMs);
    try {
      return await Promise.race([request({ abortSignal }), this.expiry(what, abortSignal)]);
    } catch (error) {
      if (abortSignal.aborted) throw this.deadlineError(what);
      throw error;
    }
  }

  /** Rejects when the signal fires. */
  private expiry(what: string, signal: AbortSignal): Promise<never> {
    return new Promise((_, reject) => signal.addEventListener('abort', () => reject(this.deadlineError(what)), { once: true }));
  }

  private deadlineError(what: string): DockerDeadlineError {
    return new DockerDeadlineError(`Docker did not answer "${what}" within ${this.config.dockerTimeoutMs} ms`);
  }
}

/** Kill or remove of a container that is already stopped or gone is not an error. */
function ignoreGoneOrStopped(error: { statusCode?: number }): void {
  if (error.statusCode !== 404 && error.statusCode !== 409) throw error;
}
