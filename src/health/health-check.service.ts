import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AgentConfig } from '../config/agent-config';
import { DockerEvents } from '../docker/docker-events.service';
import { DockerGateway } from '../docker/docker.gateway';
import type { OwnedContainer } from '../docker/docker.types';
import { JobsService } from '../jobs/jobs.service';
import { RunningJobs } from '../jobs/running-jobs.registry';
import { StudentContainersRegistry } from '../student-containers/student-containers.registry';
import { StudentContainersService } from '../student-containers/student-containers.service';
import { WarmPool } from '../warm-pool/warm-pool.service';
import { EMPTY_MEMORY, planReconciliation, type ReconciliationMemory, type TrackedContainer } from './reconciliation-plan';

const INTERVAL_NAME = 'docker-health-check';
/** After Docker comes back, a second check this soon: orphans are removed at their second sighting. */
const SECOND_LOOK_MS = 5_000;

/**
 * The scheduled health check (behaviour.md "Docker state"): keeps the event subscription open, closes as a crash the
 * jobs whose container Docker lost, and removes this agent's containers that no job owns. Docker errors are logged and
 * the next check tries again; a check that is still running when the next is due makes that one skip.
 */
@Injectable()
export class HealthCheck implements OnApplicationBootstrap, OnModuleDestroy {
  private memory: ReconciliationMemory = EMPTY_MEMORY;
  private checking = false;
  private secondLook?: NodeJS.Timeout;

  constructor(
    @InjectPinoLogger(HealthCheck.name) private readonly logger: PinoLogger,
    private readonly config: AgentConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly registry: RunningJobs,
    private readonly jobs: JobsService,
    private readonly docker: DockerGateway,
    private readonly events: DockerEvents,
    private readonly studentRegistry: StudentContainersRegistry,
    private readonly students: StudentContainersService,
    private readonly warmPool: WarmPool,
  ) {}

  onApplicationBootstrap(): void {
    const interval = setInterval(() => void this.check(), this.config.healthPeriodS * 1000);
    this.scheduler.addInterval(INTERVAL_NAME, interval);
    this.events.onReopened(() => this.afterDockerCameBack());
  }

  /**
   * The event stream broke and opened again: Docker may have restarted and stopped every container, and deaths in
   * between may never be told. Checked now and once more soon, not a whole period later.
   */
  private afterDockerCameBack(): void {
    this.logger.info('docker event stream back: checking containers now');
    void this.check();
    clearTimeout(this.secondLook);
    this.secondLook = setTimeout(() => void this.check(), SECOND_LOOK_MS).unref();
  }

  onModuleDestroy(): void {
    clearTimeout(this.secondLook);
    if (this.scheduler.doesExist('interval', INTERVAL_NAME)) this.scheduler.deleteInterval(INTERVAL_NAME);
  }

  /** Never rejects. */
  async check(): Promise<void> {
    if (this.checking) {
      this.logger.debug('health check skipped: the previous one is still running');
      return;
    }
    this.checking = true;
    try {
      await this.checkEventStream();
      await this.reconcileContainers();
    } catch (error) {
      this.logger.error({ err: error }, 'health check failed; next check tries again');
    } finally {
      this.checking = false;
    }
  }

  private async checkEventStream(): Promise<void> {
    if (this.events.isAlive()) return;
    this.logger.warn('docker event stream is down: reopening it now');
    await this.events.ensureOpen().catch((error: unknown) => this.logger.warn({ err: error }, 'docker event stream still down'));
  }

  private async reconcileContainers(): Promise<void> {
    const pooledIds = this.warmPool.heldIds();
    let containers: OwnedContainer[];
    try {
      containers = await this.docker.listOwnContainers();
    } catch (error) {
      this.logger.warn({ err: error }, 'health check could not list the containers; next check tries again');
      return;
    }
    const open = this.registry.all();
    const tracked: TrackedContainer[] = [
      ...open
        .filter((job) => job.containerId !== undefined && !job.closing && !job.died)
        .map((job) => ({ containerId: job.containerId as string, jobId: job.id })),
      ...this.studentRegistry.all()
        .filter((container) => !container.closed)
        .map((container) => ({ containerId: container.id, jobId: container.job.id })),
    ];
    const plan = planReconciliation(
      {
        tracked,
        openJobIds: new Set(open.map((job) => job.id)),
        pooledIds,
        containers,
      },
      this.memory,
      Date.now(),
      this.config.healthGraceS * 1000,
    );
    this.memory = plan.memory;
    for (const id of plan.deadInPool) this.warmPool.lost(id);
    await Promise.all([
      ...plan.vanished.map((lost) => this.closeVanished(lost)),
      ...plan.remove.map((container) => this.removeOrphan(container)),
    ]);
  }

  /** A grading container's job closes as a crash; a student container's grading container gets its retval. */
  private async closeVanished({ containerId, jobId }: TrackedContainer): Promise<void> {
    const job = this.registry.findByContainer(containerId);
    if (!job) return this.students.containerVanished(containerId);
    if (job.closing) return;
    this.logger.warn({ jobId, containerId }, 'grading container gone from Docker: job closed as a crash');
    this.jobs.containerVanished(job);
  }

  private async removeOrphan(container: OwnedContainer): Promise<void> {
    try {
      await this.docker.remove(container.id);
      this.logger.info({ containerId: container.id, jobId: container.jobId, state: container.state }, 'removed a container of this agent that no job owns');
    } catch (error) {
      this.logger.warn({ err: error, containerId: container.id }, 'could not remove a container that no job owns');
    }
  }
}
