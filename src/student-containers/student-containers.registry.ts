import { Injectable } from '@nestjs/common';
import type { RunningJob } from '../jobs/running-job';
import type { StudentContainer } from './student-container';

/** The student containers alive now, by id and by parent job. */
@Injectable()
export class StudentContainersRegistry {
  private readonly byId = new Map<string, StudentContainer>();
  private readonly byJob = new Map<string, Set<StudentContainer>>();

  add(container: StudentContainer): void {
    this.byId.set(container.id, container);
    const ofJob = this.byJob.get(container.job.id) ?? new Set<StudentContainer>();
    ofJob.add(container);
    this.byJob.set(container.job.id, ofJob);
  }

  get(containerId: string): StudentContainer | undefined {
    return this.byId.get(containerId);
  }

  /** The container, only when it belongs to that job (a grading script may only reach its own). */
  ofJob(job: RunningJob, containerId: unknown): StudentContainer | undefined {
    const container = typeof containerId === 'string' ? this.byId.get(containerId) : undefined;
    return container?.job === job ? container : undefined;
  }

  allOfJob(job: RunningJob): StudentContainer[] {
    return [...(this.byJob.get(job.id) ?? [])];
  }

  remove(container: StudentContainer): void {
    this.byId.delete(container.id);
    const ofJob = this.byJob.get(container.job.id);
    ofJob?.delete(container);
    if (ofJob?.size === 0) this.byJob.delete(container.job.id);
  }

  all(): StudentContainer[] {
    return [...this.byId.values()];
  }
}
