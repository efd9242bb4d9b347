import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AgentConfig } from '../config/agent-config';
import { DockerGateway } from '../docker/docker.gateway';
import { EngineFacts } from '../docker/engine-facts';
import { JobFolders } from '../job-files/job-folders';
import { gradingContainerBody } from '../container-bodies/grading-container-body';
import { TimeoutsService } from '../timeouts/timeouts.service';
import { type TakenContainer, type WarmContainer, warmKeyOf, type WarmRequest, type WarmSpec } from './warm-container';

/**
 * The Docker and file system side of warm containers: making one exactly as a job's grading container would be made
 * (same body, no job label yet), handing it to a job, throwing it away.
 */
@Injectable()
export class WarmContainers {
  constructor(
    @InjectPinoLogger(WarmContainers.name) private readonly logger: PinoLogger,
    private readonly config: AgentConfig,
    private readonly docker: DockerGateway,
    private readonly engine: EngineFacts,
    private readonly folders: JobFolders,
    private readonly timeouts: TimeoutsService,
  ) {}

  async make(spec: WarmSpec, memoryMiB: number): Promise<WarmContainer> {
    const facts = await this.engine.get();
    const folder = await this.folders.create();
    let id: string | undefined;
    try {
      id = await this.docker.createContainer(
        gradingContainerBody({
          agentId: this.config.agentId,
          environment: spec.environment,
          folder,
          memoryMiB,
          network: spec.network,
          publishedPorts: new Map(),
          ideDebugger: this.config.debugger,
          openFilesLimit: facts.openFilesPerJob,
          pidsLimit: this.config.pidsLimit,
          cgroupV1: facts.cgroupVersion === 1,
        }),
      );
      const stream = await this.docker.attach(id);
      await this.docker.start(id);
      return { id, key: warmKeyOf(spec), spec, folder, stream, memoryMiB, madeAtMs: Date.now() };
    } catch (error) {
      await this.discard({ id, folder });
      throw error;
    }
  }

  /** Sets the job's memory limit and puts its files in; throws when the container is not fit for it any more. */
  async handOver(warm: WarmContainer, request: WarmRequest): Promise<TakenContainer> {
    // A runtime idle before its start frame writes nothing: output now means it is not what it should be.
    if (warm.stream.readableEnded || warm.stream.destroyed) throw new Error('its attach stream ended');
    if (warm.stream.readableLength > 0) throw new Error('it wrote to stdout while idle');
    // All three settle before any failure is thrown: the folder is never removed while files are still being copied.
    const [state, ...steps] = await Promise.allSettled([
      this.docker.inspect(warm.id),
      warm.memoryMiB === request.memoryMiB ? undefined : this.docker.updateMemory(warm.id, request.memoryMiB),
      this.folders.fillCreated(request.jobId, warm.folder, request.location),
    ]);
    for (const step of [state, ...steps]) if (step.status === 'rejected') throw step.reason;
    // its death may not have reached the pool yet (or came while it was being made)
    if (state.status === 'fulfilled' && !state.value?.running) throw new Error('it is not running');
    const cpuUsedSeconds = await this.timeouts.cpuUsedSeconds(warm.id);
    return { containerId: warm.id, folder: warm.folder, stream: warm.stream, cpuUsedSeconds };
  }

  /** Removes the container and its folder; never throws (what is left is removed by reconciliation or at start). */
  async discard(warm: { id?: string; folder: WarmContainer['folder']; stream?: WarmContainer['stream'] }): Promise<void> {
    warm.stream?.destroy();
    const results = await Promise.allSettled([warm.id ? this.docker.remove(warm.id) : undefined, this.folders.remove(warm.folder)]);
    for (const result of results) {
      if (result.status === 'rejected') this.logger.warn({ containerId: warm.id, err: result.reason }, 'could not remove a warm container or its folder');
    }
  }
}
