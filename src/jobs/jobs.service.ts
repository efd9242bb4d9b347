import { Inject, Injectable, type OnModuleInit, Optional } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { BackendKillJob, BackendNewJob } from '../backend/backend.messages';
import { BackendSender } from '../backend/backend-sender';
import { AgentConfig } from '../config/agent-config';
import { ContainerLink } from '../container-link/container-link';
import { DockerEvents } from '../docker/docker-events.service';
import { DockerGateway } from '../docker/docker.gateway';
import type { ContainerEvent } from '../docker/docker.types';
import { EngineFacts } from '../docker/engine-facts';
import { EnvironmentCatalog } from '../environments/environment-catalog.service';
import { TaskFilesError } from '../job-files/task-files.error';
import { PortPool } from '../ports/port-pool';
import { PortsExhaustedError } from '../ports/ports-exhausted.error';
import { DiskLimitsService } from '../timeouts/disk-limits.service';
import { diskExceededText } from '../timeouts/disk-part';
import { Telemetry } from '../telemetry/telemetry';
import { TimeoutsService } from '../timeouts/timeouts.service';
import type { ContainerFrame } from './container-frame';
import { ContainerFrames } from './container-frames';
import { GradingContainers } from './grading-containers';
import { JobCompletion } from './job-completion';
import { JobHooks } from './job-hooks';
import { checkTaskLocation } from './job-identifiers';
import { buildJobDone } from './job-outcome';
import { JobRejected } from './job-rejected.error';
import { planJob } from './job-plan';
import { jobDoneSignal } from './job-timeline';
import { inputStateOf, RunningJob, type StopReason } from './running-job';
import { RunningJobs } from './running-jobs.registry';
import { startMessage } from './start-message';
import { cut } from '../logging/cut-value';

/**
 * How long a job received while Docker is unreachable (its event stream down: restarting, say) waits for it to come
 * back before it is tried anyway (and fails with a clear text): a Docker restart does not burn through every job sent
 * meanwhile.
 */
const DOCKER_WAIT_MS = 30_000;
/** How long after a container's death its output may still be arriving before the job is closed anyway. */
const OUTPUT_DRAIN_MS = 2000;
/**
 * How long a container that sent its result (AgentJobDone already out) may take to exit by itself before it is killed.
 * Its runtime may still be tidying up the job folder (making it removable by the agent), so it is not killed at once.
 */
export const EXIT_AFTER_RESULT_MS = 2000;

/** The grading job lifecycle (behaviour.md "Job lifecycle"), from BackendNewJob to the call that closes it. */
@Injectable()
export class JobsService implements OnModuleInit {
  @Optional() @Inject(Telemetry) private readonly telemetry = new Telemetry();
  private shuttingDown = false;

  constructor(
    @InjectPinoLogger(JobsService.name) private readonly logger: PinoLogger,
    private readonly config: AgentConfig,
    private readonly jobs: RunningJobs,
    private readonly sender: BackendSender,
    private readonly docker: DockerGateway,
    private readonly events: DockerEvents,
    private readonly catalog: EnvironmentCatalog,
    private readonly timeouts: TimeoutsService,
    private readonly disk: DiskLimitsService,
    private readonly ports: PortPool,
    private readonly engine: EngineFacts,
    private readonly hooks: JobHooks,
    private readonly completion: JobCompletion,
    private readonly frames: ContainerFrames,
    private readonly containers: GradingContainers,
  ) {}

  onModuleInit(): void {
    this.events.subscribe((event) => this.onContainerEvent(event));
  }

  /** Takes a job from the backend. Never throws: every job gets exactly one AgentJobDone. */
  start(request: BackendNewJob): void {
    void this.sender.send({ job_id: request.job_id, '@type': 'AgentJobStarted' });
    if (this.shuttingDown) {
      return this.refuse(request, 'The grading agent is shutting down: the job was not run. Please submit again.');
    }
    if (this.jobs.has(request.job_id)) {
      return this.refuse(request, 'A job with the same id is already running on this agent.');
    }
    const job = new RunningJob(request);
    this.jobs.add(job);
    this.logger.info(
      { jobId: job.id, course: request.course_id, task: request.task_id, environment: `${cut(request.environment_type)}/${cut(request.environment)}` },
      'job received',
    );
    this.launch(job).catch((error: unknown) => this.failLaunch(job, error));
  }

  /** Answers a job that will not run at all (the one running under the same id, if any, is left alone). */
  private refuse(request: BackendNewJob, text: string): void {
    this.logger.warn({ jobId: request.job_id, reason: text }, 'job refused');
    void this.sender.send(buildJobDone(request.job_id, { kind: 'crash', text }, inputStateOf(request), false));
    this.telemetry.record('job.done', jobDoneSignal(request, 'crash', {}));
  }

  /** Shutdown has begun: every job received from now on is answered at once with a crash. */
  stopTakingJobs(): void {
    this.shuttingDown = true;
    this.telemetry.record('agent.draining', {});
  }

  kill(request: BackendKillJob): void {
    const job = this.jobs.get(request.job_id);
    if (!job) {
      this.logger.info({ jobId: request.job_id }, 'kill for a job not running here: answered as killed');
      void this.sender.send(buildJobDone(request.job_id, { kind: 'killed' }, request.state, false));
      return;
    }
    this.logger.info({ jobId: job.id }, 'kill requested by the backend');
    this.stop(job, { kind: 'killed' });
  }

  /**
   * Stops a job for a reason of the agent's (kill, limit, protocol error). With a container, closing follows its death;
   * without one yet, launch() sees the reason at its next step and closes.
   */
  stop(job: RunningJob, reason: StopReason): void {
    job.stop(reason);
    if (job.containerId) void this.killContainer(job);
  }

  private failLaunch(job: RunningJob, error: unknown): void {
    // Refusals the job's own settings or a full port pool explain: a clear text, not an agent error.
    const rejected =
      error instanceof JobRejected || error instanceof PortsExhaustedError || (error instanceof TaskFilesError && error.taskFault);
    if (!rejected) this.logger.error({ jobId: job.id, err: error }, 'job failed to start');
    // A TaskFilesError's text is told in the task's terms; host paths in any other are hidden when the job closes.
    const told = rejected || error instanceof TaskFilesError;
    const text = told ? (error as Error).message : `The agent could not run the job: ${launchFailure(error)}`;
    job.stop({ kind: 'crash', text });
    if (job.containerId) void this.killContainer(job);
    else void this.completion.close(job);
  }

  private async launch(job: RunningJob): Promise<void> {
    const request = job.request;
    const location = checkTaskLocation(request.course_id, request.task_id);
    if (!this.events.isAlive()) {
      this.logger.warn({ jobId: job.id }, 'Docker unreachable: the job waits for it');
      await this.events.waitOpen(DOCKER_WAIT_MS);
      if (job.stopReason) return this.completion.close(job);
    }
    const facts = await this.engine.get();
    const plan = planJob(request, {
      find: (envtype, name) => this.catalog.find(envtype, name),
      maxMemoryMiB: facts.maxMemoryMiBPerJob,
      sshAllowed: this.config.sshAllowed,
      sshDebug: this.config.sshDebug,
      ideDebugger: this.config.debugger,
    });
    const { environment, parameters } = plan;
    job.environment = environment;
    job.parameters = parameters;
    job.ports = this.ports.acquire(plan.containerPorts.length);
    this.disk.watchJob(job.id, parameters.diskMiB * 1024 * 1024, (exceeded) =>
      this.stop(job, { kind: 'overflow', text: diskExceededText(exceeded) }),
    );
    const obtained = await this.containers.obtain(job, plan, facts, location);
    if (obtained.kind === 'stopped') return this.completion.close(job);
    const warm = obtained.kind === 'warm' ? obtained.taken : undefined;
    const containerId = job.containerId as string;
    this.disk.addPart(job.id, { kind: 'container', containerId });
    // From here a stop kills the container, and that kill closes the job: each step below only goes on while no
    // stop came, so that nothing (a link, a limit watch, a started container) outlives a job closed meanwhile.
    if (job.stopReason) return this.killContainer(job);
    const stream = warm?.stream ?? (await this.docker.attach(containerId));
    if (job.stopReason) {
      stream.destroy();
      return;
    }
    job.link = new ContainerLink<ContainerFrame>(
      stream,
      this.config.maxFrameBytes,
      {
        onFrame: (_raw, frame) => this.onContainerFrame(job, frame),
        onStderr: (text) => this.logger.debug({ jobId: job.id, stderr: text }, 'grading container stderr'),
        onProtocolError: (error) =>
          this.stop(job, { kind: 'crash', text: `The grading container broke the protocol: ${error.message}.` }),
        onEnd: () => this.onOutputEnded(job),
      },
      this.frames.reading(job.id, () => job.doneSent),
    );
    job.timeline.end('create');
    // Watched before it starts, so that a container quick to die is never watched after its job closed (its CPU is
    // read once it started); a warm one is watched from now on: the wall time from its start frame, the CPU its idle
    // runtime used not counted.
    this.timeouts.watch(
      containerId,
      parameters.limits,
      (reason) => {
        this.logger.info({ jobId: job.id, reason }, 'limit exceeded');
        this.stop(job, reason === 'processes' ? this.processLimitCrash() : { kind: 'timeout' });
      },
      warm ? { cpuUsedBeforeSeconds: warm.cpuUsedSeconds } : { startsLater: true },
    );
    if (!warm) {
      await this.docker.start(containerId);
      this.timeouts.started(containerId);
    }
    job.link.send(startMessage(request, environment, this.catalog.runtimes(), parameters.runCmd));
    job.timeline.end('start');
    this.logger.info({ jobId: job.id, containerId, warm: warm !== undefined }, 'grading container started');
    // a stop during start may have found the container not yet running: kill it now that it is
    if (job.stopReason) await this.killContainer(job);
  }

  private processLimitCrash(): StopReason {
    const text = `The job started more processes than the limit of ${this.config.pidsLimit} (a fork bomb?) and was stopped.`;
    return { kind: 'crash', text };
  }

  private onContainerFrame(job: RunningJob, frame: ContainerFrame): void {
    switch (frame.kind) {
      case 'result':
        job.result = frame.result;
        void this.onResult(job);
        return;
      case 'out-of-bounds':
        this.logger.warn({ jobId: job.id, crossed: frame.crossed }, 'message from the grading container over the bounds');
        this.stop(job, { kind: 'crash', text: this.outOfBoundsText(frame.crossed) });
        return;
      case 'unreadable':
        this.logger.warn({ jobId: job.id }, 'unreadable message from the grading container ignored');
        return;
      case 'late':
        this.logger.debug({ jobId: job.id }, 'message from the grading container after its AgentJobDone ignored');
        return;
      case 'message':
        this.onContainerMessage(job, frame.message);
    }
  }

  /** A result that alone decides the outcome is reported at once; the container then has a while to exit by itself. */
  private async onResult(job: RunningJob): Promise<void> {
    try {
      if (!(await this.completion.reportResult(job))) return;
    } catch (error) {
      this.logger.error({ jobId: job.id, err: error }, 'could not report the result');
      return;
    }
    setTimeout(() => {
      if (!job.died) void this.killContainer(job);
    }, EXIT_AFTER_RESULT_MS).unref();
  }

  private outOfBoundsText(crossed: 'entries' | 'depth'): string {
    const what =
      crossed === 'entries'
        ? `more than ${this.config.maxFrameEntries} map and list entries`
        : `maps or lists nested more than ${this.config.maxFrameDepth} levels deep`;
    return `The grading container sent a message holding ${what}, over the agent's limit: it was not read.`;
  }

  private onContainerMessage(job: RunningJob, message: Record<string, unknown>): void {
    const handler = this.hooks.handlerFor(message.type as string);
    if (!handler) {
      this.logger.warn({ jobId: job.id, type: message.type }, 'unknown message type from the grading container ignored');
      return;
    }
    Promise.resolve()
      .then(() => handler(job, message))
      .catch((error: unknown) =>
        this.logger.error({ jobId: job.id, type: message.type, err: error }, 'container message handling failed'),
      );
  }

  private onContainerEvent(event: ContainerEvent): void {
    const job = this.jobs.findByContainer(event.containerId);
    if (!job) return;
    if (event.kind === 'oom') {
      this.logger.info({ jobId: job.id }, 'memory limit reached');
      this.stop(job, { kind: 'overflow' });
      return;
    }
    this.logger.debug({ jobId: job.id, exitCode: event.exitCode }, 'grading container died');
    void this.onDeath(job, event.exitCode);
  }

  private async onDeath(job: RunningJob, exitCode: number | undefined): Promise<void> {
    if (!job.stopReason && job.containerId && (await this.docker.diedOfMemory(job.containerId, exitCode))) {
      job.stop({ kind: 'overflow' });
    }
    this.markDead(job);
  }

  /** Called by reconciliation when Docker no longer has the container. */
  containerVanished(job: RunningJob): void {
    job.stop({ kind: 'crash', text: 'The grading container disappeared (removed outside the agent, or Docker restarted).' });
    job.outputEnded = true;
    this.markDead(job);
  }

  private markDead(job: RunningJob): void {
    job.died = true;
    job.timeline.end('run');
    // Output still in flight only matters when it can decide the outcome: not once the agent stopped the job itself.
    if (job.outputEnded || job.stopReason || job.doneSent) {
      void this.completion.close(job);
      return;
    }
    setTimeout(() => void this.completion.close(job), OUTPUT_DRAIN_MS).unref();
  }

  private onOutputEnded(job: RunningJob): void {
    job.outputEnded = true;
    if (job.died) void this.completion.close(job);
  }

  /**
   * Kills the container; its death closes the job. A container that was never started, or is gone, dies here. When
   * Docker fails or misses its deadline, the job is closed all the same (its container is removed as it closes, or
   * later by reconciliation as an orphan): a job the agent stopped never waits on Docker.
   */
  private async killContainer(job: RunningJob): Promise<void> {
    const containerId = job.containerId as string;
    try {
      await this.docker.kill(containerId);
      const state = await this.docker.inspect(containerId);
      if (!state?.running) this.markDead(job);
    } catch (error) {
      this.logger.error({ jobId: job.id, err: error }, 'could not kill the grading container: the job is closed anyway');
      this.markDead(job);
    }
  }
}

/** What a failed launch tells the backend: a Docker connection error without the engine's address (a host path). */
function launchFailure(error: unknown): string {
  const { syscall, code, message } = (error ?? {}) as NodeJS.ErrnoException;
  if (syscall === 'connect') return `Docker could not be reached (${code ?? 'connect failed'}).`;
  return message ?? String(error);
}
