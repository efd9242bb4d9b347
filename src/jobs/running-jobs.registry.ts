import { Injectable } from '@nestjs/common';
import type { RunningJob } from './running-job';

/** The one place a job's state lives; other modules ask it, they keep no copies. */
@Injectable()
export class RunningJobs {
  private readonly jobs = new Map<string, RunningJob>();
  private readonly byContainer = new Map<string, RunningJob>();

  add(job: RunningJob): void {
    this.jobs.set(job.id, job);
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
  }

  all(): RunningJob[] {
    return [...this.jobs.values()];
  }

  get size(): number {
    return this.jobs.size;
  }
}
