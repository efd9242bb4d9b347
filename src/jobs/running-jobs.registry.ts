import { Injectable } from '@nestjs/common';
import { WarmPool } from '../warm-pool/warm-pool.service';
import { FolderRemovalTurns } from './folder-removal-turns';
import type { RunningJob } from './running-job';

/** The one place a job's state lives; other modules ask it, they keep no copies. */
@Injectable()
export class RunningJobs {
  private readonly jobs = new Map<string, RunningJob>();
  private readonly byContainer = new Map<string, RunningJob>();

  /**
   * The pool is told how many job slots are in use: it makes containers only while one is free. The folder removals
   * are told how many jobs grade: they wait while one does.
   */
  constructor(
    private readonly warmPool: WarmPool,
    private readonly removals: FolderRemovalTurns,
  ) {}

  add(job: RunningJob): void {
    this.jobs.set(job.id, job);
    this.counted();
  }

  has(jobId: string): boolean {
    return this.jobs.has(jobId);
  }

  get(jobId: string): RunningJob | undefined {
    return this.jobs.get(jobId);
  }

  attachContainer(job: RunningJob, containerId: string): void {
    job.containerId = containerId;
    this.byContainer.set(containerId, job);
  }

  findByContainer(containerId: string): RunningJob | undefined {
    return this.byContainer.get(containerId);
  }

  remove(job: RunningJob): void {
    this.jobs.delete(job.id);
    if (job.containerId) this.byContainer.delete(job.containerId);
    this.counted();
  }

  private counted(): void {
    this.warmPool.jobSlotsInUse(this.jobs.size);
    this.removals.gradingJobs(this.jobs.size);
  }

  all(): RunningJob[] {
    return [...this.jobs.values()];
  }

  get size(): number {
    return this.jobs.size;
  }
}
