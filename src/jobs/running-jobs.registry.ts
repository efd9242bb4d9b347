import { Injectable } from '@nestjs/common';
import { WarmPool } from '../warm-pool/warm-pool.service';
import type { RunningJob } from './running-job';

/** The one place a job's state lives; other modules ask it, they keep no copies. */
@Injectable()
export class RunningJobs {
  private readonly jobs = new Map<string, RunningJob>();
  private readonly byContainer = new Map<string, RunningJob>();

  /** The pool is told how many job slots are in use: it makes containers only while one is free. */
  constructor(private readonly warmPool: WarmPool) {}

  add(job: RunningJob): void {
    this.jobs.set(job.id, job);
    this.warmPool.jobSlotsInUse(this.jobs.size);
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
    this.warmPool.jobSlotsInUse(this.jobs.size);
  }

  all(): RunningJob[] {
    return [...this.jobs.values()];
  }

  get size(): number {
    return this.jobs.size;
  }
}
