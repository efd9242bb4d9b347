import { join } from 'node:path';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AgentConfig } from '../config/agent-config';
import { DockerEvents } from '../docker/docker-events.service';
import { DockerGateway } from '../docker/docker.gateway';
import type { ContainerEvent } from '../docker/docker.types';
import { EnvironmentCatalog } from '../environments/environment-catalog.service';
import { EngineFacts } from '../jobs/engine-facts';
import { JobHooks } from '../jobs/job-hooks';
import { JobsService } from '../jobs/jobs.service';
import type { RunningJob } from '../jobs/running-job';
import { PortPool } from '../ports/port-pool';
import { PortsExhaustedError } from '../ports/ports-exhausted.error';
import { sshRefusal } from '../ssh/ssh-permission';
import { TimeoutsService } from '../timeouts/timeouts.service';
import { readRunStudentRequest, type RunStudentRequest } from './run-student-request';
import { RETVAL_NOT_STARTED, StudentContainer, studentRetval } from './student-container';
import { studentContainerBody, type StudentNetwork } from './student-container-body';
import { StudentContainersRegistry } from './student-containers.registry';
import { studentLimits } from './student-limits';
import { StudentMountSources } from './student-mount-sources';
import { studentRuntime } from './student-runtime';
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
  constructor(
    @InjectPinoLogger(StudentContainersService.name) private readonly logger: PinoLogger,
    private readonly config: AgentConfig,
    private readonly docker: DockerGateway,
    private readonly events: DockerEvents,
    private readonly catalog: EnvironmentCatalog,
    private readonly ports: PortPool,
    private readonly timeouts: TimeoutsService,
    private readonly hooks: JobHooks,
    private readonly jobs: JobsService,
    private readonly engine: EngineFacts,
    private readonly registry: StudentContainersRegistry,
    private readonly mounts: StudentMountSources,
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
      const refusal = sshRefusal(this.config.sshAllowed, job.parameters);
      if (refusal) {
        this.logger.warn({ jobId: job.id, socketId: request.socketId }, 'student container with SSH refused: the job ends');
        this.jobs.stop(job, { kind: 'crash', text: refusal });
        return;
      }
    }
    const refusal = await this.launch(job, request).catch((error: unknown) => `Docker error: ${(error as Error).message}`);
    if (refusal) {
      this.logger.warn({ jobId: job.id, socketId: request.socketId, reason: refusal }, 'student container not started: retval 254');
      this.sendRetval(job, request.socketId, RETVAL_NOT_STARTED);
    }
  }

  /** Creates and starts the container; returns why it could not, when it could not. */
  private async launch(job: RunningJob, request: RunStudentRequest): Promise<string | undefined> {
    const { environment: parent, parameters, folder, containerId: parentId } = job;
    if (!parent || !parameters || !folder || !parentId || job.closing) return 'the job is not running';
    const name = request.environment ?? parent.name;
    const environment = this.catalog.find(parent.envtype, name);
    if (!environment) return `unknown environment ${parent.envtype}/${cut(name)}`;
    const runtime = studentRuntime(environment.runtime, this.catalog.runtimes(), request.runAsRoot);
    if (!runtime) return 'root was asked for and no runtime runs containers as root';
    const limits = studentLimits(request, parameters.limits);

    let ports: number[];
    try {
      ports = this.ports.acquire(request.ssh ? 1 : 0);
    } catch (error) {
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
      await this.mounts.prepare(folder);
      containerId = await this.docker.createContainer(
        studentContainerBody({
          jobId: job.id,
          agentId: this.config.agentId,
          environment,
          runtime,
          parentEnvtype: parent.envtype,
          folder,
          socketPath: join(folder.sockets, `${request.socketId}.sock`),
          memoryMiB: limits.memoryMiB,
          network,
          openFilesLimit: facts.openFilesPerJob,
          pidsLimit: this.config.pidsLimit,
          cgroupV1: facts.cgroupVersion === 1,
          securityOpt: environment.generation === 4 ? await this.docker.securityOptions(parentId) : [],
        }),
      );
    } catch (error) {
      this.ports.release(ports);
      throw error;
    }

    const container = new StudentContainer(containerId, job, request.socketId, runtime);
    container.ports = ports;
    this.registry.add(container);
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
    this.ports.release(container.ports);
    const relay = await container.relay?.catch(() => undefined);
    if (relay) {
      await Promise.race([relay.ended, new Promise((done) => setTimeout(done, RELAY_DRAIN_MS).unref())]);
      relay.close();
    }
    if (retval !== undefined) this.sendRetval(container.job, container.socketId, retval);
    this.logger.info({ jobId: container.job.id, containerId: container.id, retval }, 'student container ended');
    try {
      await this.docker.remove(container.id);
    } catch (error) {
      this.logger.error({ jobId: container.job.id, containerId: container.id, err: error }, 'could not remove the student container');
    } finally {
      this.registry.remove(container);
    }
  }

  private async closeAllOf(job: RunningJob): Promise<void> {
    await Promise.all(this.registry.allOfJob(job).map((container) => this.finish(container)));
  }

  private async kill(container: StudentContainer): Promise<void> {
    try {
      await this.docker.kill(container.id);
      const state = await this.docker.inspect(container.id);
      if (!state?.running) await this.onDeath(container, state?.exitCode ?? -1);
    } catch (error) {
      this.logger.error({ jobId: container.job.id, containerId: container.id, err: error }, 'could not kill the student container');
    }
  }

  private sendRetval(job: RunningJob, socketId: string, retval: number): void {
    job.link?.send({ type: 'run_student_retval', retval, socket_id: socketId });
  }
}
