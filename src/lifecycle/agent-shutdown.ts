import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AgentConfig } from '../config/agent-config';
import { JobsService } from '../jobs/jobs.service';
import type { StopReason } from '../jobs/running-job';
import { RunningJobs } from '../jobs/running-jobs.registry';
import { OwnContainers } from './own-containers';

/** How long jobs stopped at the end of the grace get to close (kill, output drain, removal) before the agent moves on. */
const CLOSE_AFTER_STOP_MS = 10_000;
const POLL_MS = 100;

/**
 * A job still running when the grace ends closes as a crash, not as `killed`: nobody asked for it to be killed, and the
 * frontend tells the student that the grader failed through no fault of theirs (as the backend does for a lost agent).
 */
export const SHUTDOWN_STOP: StopReason = {
  kind: 'crash',
  text: 'The grading agent shut down before the job finished. Please submit again.',
};

/**
 * SIGTERM (behaviour.md "Docker state"): stop taking jobs, give running ones `shutdownGraceS` to finish, stop the rest,
 * then remove every container of this agent. Runs in onModuleDestroy: Nest calls it from the modules nearest the root
 * first, so the Docker event stream, the limit watches and the health check (deeper modules) still work during the
 * grace; and the backend transport closes only after every destroy hook, so each AgentJobDone still goes out.
 */
@Injectable()
export class AgentShutdown implements OnModuleDestroy {
  constructor(
    @InjectPinoLogger(AgentShutdown.name) private readonly logger: PinoLogger,
    private readonly config: AgentConfig,
    private readonly jobs: JobsService,
    private readonly registry: RunningJobs,
    private readonly containers: OwnContainers,
  ) {}

  async onModuleDestroy(): Promise<void> {
    this.jobs.stopTakingJobs();
    if (this.registry.size > 0) await this.drain();
    await this.containers.removeAll('shutting down');
  }

  private async drain(): Promise<void> {
    const graceS = this.config.shutdownGraceS;
    this.logger.info({ jobs: this.registry.size, graceS }, 'shutting down: waiting for the running jobs to finish');
    if (await this.allClosedWithin(graceS * 1000)) return;
    const late = this.registry.all().filter((job) => !job.closing);
    this.logger.warn({ jobIds: late.map((job) => job.id) }, 'shutdown grace over: stopping the jobs still running');
    for (const job of late) this.jobs.stop(job, SHUTDOWN_STOP);
    if (!(await this.allClosedWithin(CLOSE_AFTER_STOP_MS))) {
      this.logger.error({ jobIds: this.registry.all().map((job) => job.id) }, 'jobs did not close after being stopped');
    }
  }

  private async allClosedWithin(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (this.registry.size > 0) {
      if (Date.now() >= deadline) return false;
      await new Promise((done) => setTimeout(done, POLL_MS));
    }
    return true;
  }
}
