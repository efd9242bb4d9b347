import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { BackendSender } from '../backend/backend-sender';
import { DockerGateway } from '../docker/docker.gateway';
import { PortPool } from '../ports/port-pool';
import { DiskLimitsService } from '../timeouts/disk-limits.service';
import { TimeoutsService } from '../timeouts/timeouts.service';
import { JobFolders } from './job-folder';
import { buildJobDone, type JobOutcome } from './job-outcome';
import { JobHooks } from './job-hooks';
import { isRejected, validateResultMap } from './result-map';
import type { RunningJob } from './running-job';
import { RunningJobs } from './running-jobs.registry';

/** Closes jobs. `close` is the one function that sends AgentJobDone, and it does so once per job, whatever calls it. */
@Injectable()
export class JobCompletion {
  constructor(
    @InjectPinoLogger(JobCompletion.name) private readonly logger: PinoLogger,
    private readonly jobs: RunningJobs,
    private readonly sender: BackendSender,
    private readonly docker: DockerGateway,
    private readonly folders: JobFolders,
    private readonly timeouts: TimeoutsService,
    private readonly disk: DiskLimitsService,
    private readonly ports: PortPool,
    private readonly hooks: JobHooks,
  ) {}

  async close(job: RunningJob): Promise<void> {
    if (job.closing) return;
    job.closing = true;
    const outcome = decideOutcome(job);
    if (job.containerId) this.timeouts.unwatch(job.containerId);
    this.disk.unwatchJob(job.id);
    const cleanupStartedAt = Date.now();
    await this.cleanUp(job);
    this.jobs.remove(job);
    const done = buildJobDone(job.id, outcome, job.inputState, job.containerId !== undefined);
    const cleanupSeconds = (Date.now() - cleanupStartedAt) / 1000;
    this.logger.info(
      { jobId: job.id, result: done.result[0], grade: done.grade.value, seconds: (Date.now() - job.startedAt) / 1000, cleanupSeconds },
      outcome.kind === 'crash' ? `job crashed: ${outcome.text}` : 'job done',
    );
    await this.sender.send(done);
  }

  /** Every step runs even when an earlier one fails: a job must never keep ports, containers or files. */
  private async cleanUp(job: RunningJob): Promise<void> {
    const steps: [string, () => Promise<void> | void][] = [
      ['closing hooks', () => this.hooks.runClosingHooks(job)],
      ['ports', () => this.ports.release(job.ports)],
      ['link', () => job.link?.close()],
      ['container', () => (job.containerId ? this.docker.remove(job.containerId) : undefined)],
      ['folder', () => (job.folder ? this.folders.remove(job.folder) : undefined)],
    ];
    for (const [what, step] of steps) {
      try {
        await step();
      } catch (error) {
        this.logger.error({ jobId: job.id, err: error }, `could not clean up the job's ${what}`);
      }
    }
  }
}

function decideOutcome(job: RunningJob): JobOutcome {
  if (job.stopReason) return job.stopReason;
  if (job.result === undefined) {
    return { kind: 'crash', text: 'The grading container stopped without returning a result.' };
  }
  const result = validateResultMap(job.result);
  if (isRejected(result)) {
    return { kind: 'crash', text: `The output of the grader was unreadable (${result.rejected}).` };
  }
  return { kind: 'graded', result };
}
