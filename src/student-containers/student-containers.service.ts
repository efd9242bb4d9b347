import { Inject, Injectable, type OnModuleInit, Optional } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AgentConfig } from '../config/agent-config';
import { DockerEvents } from '../docker/docker-events.service';
import { DockerGateway } from '../docker/docker.gateway';
import type { ContainerEvent } from '../docker/docker.types';
import { EnvironmentCatalog } from '../environments/environment-catalog.service';
import { SocketClaims } from '../job-files/socket-claims';
import { EngineFacts } from '../docker/engine-facts';
import { JobHooks } from '../jobs/job-hooks';
import { JobsService } from '../jobs/jobs.service';
import type { RunningJob } from '../jobs/running-job';
import { studentSshRefusal } from '../jobs/ssh-permission';
import { PortPool } from '../ports/port-pool';
import { PortsExhaustedError } from '../ports/ports-exhausted.error';
import { ContainerStorageQuota } from '../timeouts/container-storage-quota';
import { DiskLimitsService } from '../timeouts/disk-limits.service';
import { Telemetry } from '../telemetry/telemetry';
import { TimeoutsService } from '../timeouts/timeouts.service';
import { relayed } from './relay-mode';
import { readRunStudentRequest, type RunStudentRequest } from './run-student-request';
import { RETVAL_NOT_STARTED, StudentContainer, studentRetval } from './student-container';
import { studentContainerBody, type StudentNetwork } from './student-container-body';
import { StudentContainersRegistry } from './student-containers.registry';
import { studentLimits } from './student-limits';
import { studentRuntime } from './student-runtime';
import { type StudentSlot, StudentSlots } from './student-slots';
import { cut } from '../logging/cut-value';

/** How long a relayed student container's output may still arrive after its death before its retval is sent. */
const RELAY_DRAIN_MS = 2000;

/**
 * Student containers (wire.md §4, behaviour.md "Student containers"): started on a grading container's `run_student`,
 * watched like jobs, answered with `run_student_started` and `run_student_retval`, removed when they end, and all of a
 * job's killed and removed when the job closes.
 */
@Injectable()
export class StudentContainersService implements OnModuleInit {
  @Optional() @Inject(Telemetry) private readonly telemetry = new Telemetry();

  constructor(
    @InjectPinoLogger(StudentContainersService.name) private readonly logger: PinoLogger,
    private readonly config: AgentConfig,
    private readonly docker: DockerGateway,
    private readonly events: DockerEvents,
    private readonly catalog: EnvironmentCatalog,
    private readonly ports: PortPool,
    private readonly timeouts: TimeoutsService,
    private readonly disk: DiskLimitsService,
    private readonly storageQuota: ContainerStorageQuota,
    private readonly slots: StudentSlots,
    private readonly hooks: JobHooks,
    private readonly jobs: JobsService,
    private readonly engine: EngineFacts,
    private readonly registry: StudentContainersRegistry,
    private readonly sockets: SocketClaims,
  ) {}

  onModuleInit(): void {
    this.hooks.handle('run_student', (job, message) => this.runStudent(job, message));
    this.hooks.onClosing((job) => this.closeAllOf(job));
    this.events.subscribe((event) => this.onContainerEvent(event));
  }

  private async runStudent(job: RunningJob, message: Record<string, unknown>): Promise<void> {
    const reading = readRunStudentRequest(message);
    if (!reading.ok) {
      this.logger.warn({ jobId: job.id, socketId: reading.socketId, reason: reading.reason }, 'malformed run_student refused');
      if (reading.socketId !== undefined) this.sendRetval(job, reading.socketId, RETVAL_NOT_STARTED);
      return;
    }
    const request = reading.request;
    if (request.ssh) {
      const refusal = studentSshRefusal(this.config.sshAllowed, {
        envtype: job.request.environment_type,
        network: job.parameters?.networkGrading ?? false,
      });
      if (refusal) {
        this.logger.warn({ jobId: job.id, socketId: request.socketId }, 'student container with SSH refused: the job ends');
        this.jobs.stop(job, { kind: 'crash', text: refusal });
        return;
      }
    }
    const slot = await this.takeSlot(job, request);
    if (!slot) return;
    const refusal = await this.launch(job, request, slot).catch((error: unknown) => `Docker error: ${(error as Error).message}`);
    if (refusal) {
      slot.release();
      this.logger.warn({ jobId: job.id, socketId: request.socketId, reason: refusal }, 'student container not started: retval 254');
      this.sendRetval(job, request.socketId, RETVAL_NOT_STARTED);
    }
  }

  /** A place in the job's student-container budget, waited for in order; none when the job ends meanwhile. */
  private async takeSlot(job: RunningJob, request: RunStudentRequest): Promise<StudentSlot | undefined> {
    const running = this.slots.running(job.id);
    if (running >= this.config.studentContainersPerJob) {
      this.logger.info({ jobId: job.id, socketId: request.socketId, running, waiting: this.slots.waiting(job.id) + 1 }, 'run_student waits for a student container to end');
    }
    const slot = await this.slots.take(job.id);
    if (!slot) this.logger.info({ jobId: job.id, socketId: request.socketId }, 'waiting run_student dropped: the job ended');
    return slot;
  }

  /** Creates and starts the container, holding `slot` until it ends; returns why it could not, when it could not. */
  private async launch(job: RunningJob, request: RunStudentRequest, slot: StudentSlot): Promise<string | undefined> {
    const { environment: parent, parameters, folder, containerId: parentId } = job;
    if (!parent || !parameters || !folder || !parentId || job.closing) return 'the job is not running';
    const name = request.environment ?? parent.name;
    const environment = this.catalog.find(parent.envtype, name);
    if (!environment) return `unknown environment ${parent.envtype}/${cut(name)}`;
    const runtime = studentRuntime(environment.runtime, this.catalog.runtimes(), request.runAsRoot);
    if (!runtime) return 'root was asked for and no runtime runs containers as root';
    const limits = studentLimits(request, parameters.limits);
    let socketPath: string | undefined;
    if (!relayed(parent, runtime)) {
      const claim = await this.sockets.claim(folder, request.socketId);
      if (!claim.ok) return `sockets/${request.socketId}.sock is ${claim.found}, not the socket of a run_student: refused`;
      socketPath = claim.path;
    }

    let ports: number[];
    try {
      ports = this.ports.acquire(request.ssh ? 1 : 0);
    } catch (error) {
      await this.sockets.release(socketPath);
      if (error instanceof PortsExhaustedError) return error.message;
      throw error;
    }
    const network: StudentNetwork = request.ssh
      ? { kind: 'bridge', sshHostPort: ports[0] }
      : request.shareNetwork
        ? { kind: 'parent', parentContainerId: parentId }
        : { kind: 'none' };
    let containerId: string;
    try {
      const facts = await this.engine.get();
      containerId = await this.docker.createContainer(
        studentContainerBody({
          jobId: job.id,
          agentId: this.config.agentId,
          environment,
          runtime,
          parentEnvtype: parent.envtype,
          folder,
          socketPath,
          memoryMiB: limits.memoryMiB,
          network,
          openFilesLimit: facts.openFilesPerJob,
          pidsLimit: this.config.pidsLimit,
          cgroupV1: facts.cgroupVersion === 1,
          securityOpt: environment.generation === 4 ? await this.docker.securityOptions(parentId) : [],
          storageOption: await this.storageQuota.storageOption(parameters.diskMiB),
        }),
      );
    } catch (error) {
      this.ports.release(ports);
      await this.sockets.release(socketPath);
      throw error;
    }

    const container = new StudentContainer(containerId, job, request.socketId, runtime);
    container.ports = ports;
    container.slot = slot;
    container.claimedSocket = socketPath;
    this.registry.add(container);
    this.disk.addPart(job.id, { kind: 'container', containerId }, () => {
      this.logger.info({ jobId: job.id, containerId }, 'student container disk limit exceeded');
      container.stop('overflow');
      void this.kill(container);
    });
    if (job.closing) {
      await this.finish(container);
      return 'the job ended meanwhile';
    }
    job.link?.send({ type: 'run_student_started', socket_id: request.socketId, container_id: containerId });
    try {
      await this.docker.start(containerId);
    } catch (error) {
      this.logger.warn({ jobId: job.id, containerId, err: error }, 'student container could not be started');
      await this.finish(container, RETVAL_NOT_STARTED);
      return undefined;
    }
    if (container.closed) return undefined; // it already ended (or its job closed) while start was answered
    this.timeouts.watch(containerId, limits, (reason) => {
      this.logger.info({ jobId: job.id, containerId, reason }, 'student container limit exceeded');
      // A fork storm is a resource overflow for the grading script (252), like memory.
      container.stop(reason === 'processes' ? 'overflow' : 'timeout');
      void this.kill(container);
    });
    this.logger.info(
      { jobId: job.id, containerId, socketId: request.socketId, environment: `${parent.envtype}/${name}`, limits, network: network.kind, ports },
      'student container started',
    );
    return undefined;
  }

  private onContainerEvent(event: ContainerEvent): void {
    const container = this.registry.get(event.containerId);
    if (!container) return;
    if (event.kind === 'oom') {
      this.logger.info({ jobId: container.job.id, containerId: container.id }, 'student container memory limit reached');
      container.stop('overflow');
      void this.kill(container);
      return;
    }
    void this.onDeath(container, event.exitCode ?? -1);
  }

  private async onDeath(container: StudentContainer, exitCode: number): Promise<void> {
    if (!container.stopReason && (await this.docker.diedOfMemory(container.id, exitCode))) container.stop('overflow');
    await this.finish(container, studentRetval(container, exitCode));
  }

  /** The one way a student container ends: every step runs once, whatever ended it. No retval when its job closes. */
  private async finish(container: StudentContainer, retval?: number): Promise<void> {
    if (container.closed) return;
    container.closed = true;
    this.timeouts.unwatch(container.id);
    this.disk.removePart(container.job.id, { kind: 'container', containerId: container.id });
    this.ports.release(container.ports);
    const relay = await container.relay?.catch(() => undefined);
    if (relay) {
      await Promise.race([relay.ended, new Promise((done) => setTimeout(done, RELAY_DRAIN_MS).unref())]);
      relay.close();
    }
    // released before the retval: the grading script may reuse the socket for its next run_student at once
    await this.sockets.release(container.claimedSocket).catch((error: unknown) =>
      this.logger.warn({ jobId: container.job.id, containerId: container.id, err: error }, 'claimed socket not released'),
    );
    if (retval !== undefined) this.sendRetval(container.job, container.socketId, retval);
    this.logger.info({ jobId: container.job.id, containerId: container.id, retval }, 'student container ended');
    try {
      await this.docker.remove(container.id);
    } catch (error) {
      this.logger.error({ jobId: container.job.id, containerId: container.id, err: error }, 'could not remove the student container');
    } finally {
      this.registry.remove(container);
      container.slot?.release();
    }
  }

  private async closeAllOf(job: RunningJob): Promise<void> {
    this.slots.closeJob(job.id);
    await Promise.all(this.registry.allOfJob(job).map((container) => this.finish(container)));
  }

  /** When Docker fails or misses its deadline, the grading container is answered all the same (reconciliation removes the rest). */
  private async kill(container: StudentContainer): Promise<void> {
    try {
      await this.docker.kill(container.id);
      const state = await this.docker.inspect(container.id);
      if (!state?.running) await this.onDeath(container, state?.exitCode ?? RETVAL_NOT_STARTED);
    } catch (error) {
      this.logger.error({ jobId: container.job.id, containerId: container.id, err: error }, 'could not kill the student container: answered anyway');
      await this.finish(container, studentRetval(container, RETVAL_NOT_STARTED));
    }
  }

  /** Called by reconciliation when Docker no longer runs the container and its death was never seen. */
  async containerVanished(containerId: string): Promise<void> {
    const container = this.registry.get(containerId);
    if (!container || container.closed) return;
    const state = await this.docker.inspect(containerId).catch(() => undefined);
    this.logger.warn({ jobId: container.job.id, containerId, exitCode: state?.exitCode }, 'student container gone from Docker');
    await this.finish(container, studentRetval(container, state?.exitCode ?? RETVAL_NOT_STARTED));
  }

  private sendRetval(job: RunningJob, socketId: string, retval: number): void {
    job.link?.send({ type: 'run_student_retval', retval, socket_id: socketId });
    this.telemetry.record('student.retval', { retval });
  }
}
