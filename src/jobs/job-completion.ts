import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { BackendSender } from '../backend/backend-sender';
import { DockerGateway } from '../docker/docker.gateway';
import type { JobFolderPaths } from '../job-files/job-folder-layout';
import { JobFolders } from '../job-files/job-folders';
import { PortPool } from '../ports/port-pool';
import { Telemetry } from '../telemetry/telemetry';
import { DiskLimitsService } from '../timeouts/disk-limits.service';
import { TimeoutsService } from '../timeouts/timeouts.service';
import type { AcceptedResult } from './container-frame';
import { buildJobDone, type JobOutcome } from './job-outcome';
import { JobHooks } from './job-hooks';
import { jobDoneSignal } from './job-timeline';
import type { RunningJob } from './running-job';
import { RunningJobs } from './running-jobs.registry';

/**
 * Closes jobs. `sendDone` is the one function that sends AgentJobDone, once per job: from `close` after cleanup, or
 * from `reportResult` before it when a result alone decides the outcome.
 */
@Injectable()
export class JobCompletion {
  @Optional() @Inject(Telemetry) private readonly telemetry = new Telemetry();

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

  /** Cleans the job up and, unless `reportResult` already did, sends its AgentJobDone after. */
  async close(job: RunningJob): Promise<void> {
    if (job.closing) return;
    job.closing = true;
    const outcome = job.doneSent ? undefined : this.withoutHostPaths(decideOutcome(job));
    if (job.containerId) this.timeouts.unwatch(job.containerId);
    this.disk.unwatchJob(job.id);
    const cleanupStartedAt = Date.now();
    await this.cleanUp(job);
    this.jobs.remove(job);
    const cleanupSeconds = (Date.now() - cleanupStartedAt) / 1000;
    if (outcome) await this.sendDone(job, outcome, { cleanupSeconds });
    else this.logger.info({ jobId: job.id, cleanupSeconds }, 'job cleaned up after its early AgentJobDone');
  }

  /**
   * A result frame arrived. When it decides the outcome — valid, and no limit crossed by then (one last look), no kill —
   * AgentJobDone goes at once and true is returned; the container's exit (or the caller's kill) then closes the job,
   * and `close` cleans up without sending again. The job stays in the registry (its slot busy) until that cleanup ends.
   */
  async reportResult(job: RunningJob): Promise<boolean> {
    const resultAtMs = performance.now();
    if (job.containerId) await this.timeouts.checkNow(job.containerId);
    if (job.doneSent || job.closing || job.stopReason) return false;
    const outcome = decideOutcome(job);
    if (outcome.kind !== 'accepted') return false;
    if (job.containerId) this.timeouts.unwatch(job.containerId);
    this.disk.unwatchJob(job.id);
    job.timeline.end('run'); // the job ran until its result; its close is the AgentJobDone, cleanup comes after
    await this.sendDone(job, outcome, { afterResultMs: performance.now() - resultAtMs });
    return true;
  }

  /** `afterResultMs`: how long after the result frame it goes, when it goes before cleanup. */
  private async sendDone(job: RunningJob, outcome: ReturnType<typeof decideOutcome>, times: JobDoneTimes): Promise<void> {
    job.doneSent = true;
    const result = await this.send(job, outcome, { seconds: (Date.now() - job.startedAt) / 1000, ...times });
    this.telemetry.record('job.done', jobDoneSignal(job.request, result, job.timeline.end('close')));
  }

  /** Sends AgentJobDone and returns the result it reported. */
  private async send(
    job: RunningJob,
    outcome: ReturnType<typeof decideOutcome>,
    times: JobDoneTimes & { seconds: number },
  ): Promise<string> {
    if (outcome.kind === 'accepted') {
      this.logger.info({ jobId: job.id, result: outcome.result.result, grade: outcome.result.grade, ...times }, 'job done');
      await this.sender.sendEncoded('AgentJobDone', outcome.result.jobDone);
      return outcome.result.result;
    }
    const done = buildJobDone(job.id, outcome, job.inputState, job.containerId !== undefined);
    this.logger.info(
      { jobId: job.id, result: done.result[0], grade: done.grade.value, ...times },
      outcome.kind === 'crash' ? `job crashed: ${outcome.text}` : 'job done',
    );
    await this.sender.send(done);
    return done.result[0];
  }

  /** The agent's own texts may quote an error naming its folders (e.g. Docker's): never sent to the backend. */
  private withoutHostPaths(outcome: ReturnType<typeof decideOutcome>): ReturnType<typeof decideOutcome> {
    return outcome.kind === 'crash' ? { ...outcome, text: this.folders.hideHostPaths(outcome.text) } : outcome;
  }

  /** Every step runs even when an earlier one fails: a job must never keep ports, containers or files. */
  private async cleanUp(job: RunningJob): Promise<void> {
    const steps: [string, () => Promise<void> | void][] = [
      ['closing hooks', () => this.hooks.runClosingHooks(job)],
      ['ports', () => this.ports.release(job.ports)],
      ['link', () => job.link?.close()],
      ['container', () => (job.containerId ? this.docker.remove(job.containerId) : undefined)],
      ['folder', () => (job.folder ? this.removeFolder(job.id, job.folder) : undefined)],
    ];
    for (const [what, step] of steps) {
      try {
        await step();
      } catch (error) {
        this.logger.error({ jobId: job.id, err: error }, `could not clean up the job's ${what}`);
      }
    }
  }

  /** Not awaited: the removal waits while other jobs grade (FolderRemovalTurns); its end is logged. */
  private removeFolder(jobId: string, folder: JobFolderPaths): void {
    const startedAt = Date.now();
    this.folders.removeAfterJob(folder).then(
      () => this.logger.info({ jobId, removalSeconds: (Date.now() - startedAt) / 1000 }, 'job folder removed'),
      (error: unknown) => this.logger.error({ jobId, err: error }, "could not clean up the job's folder"),
    );
  }
}

/** Logged with "job done": cleanup before it (cold) or the time since the result frame (sent before cleanup). */
interface JobDoneTimes {
  cleanupSeconds?: number;
  afterResultMs?: number;
}

/** A result the container sent comes with its AgentJobDone already encoded (off the event loop). */
function decideOutcome(job: RunningJob): JobOutcome | { kind: 'accepted'; result: AcceptedResult } {
  if (job.stopReason) return job.stopReason;
  if (job.result === undefined) {
    return { kind: 'crash', text: 'The grading container stopped without returning a result.' };
  }
  if (!job.result.accepted) {
    return { kind: 'crash', text: `The output of the grader was unreadable (${job.result.rejected}).` };
  }
  return { kind: 'accepted', result: job.result };
}
