/** A held place among a job's running student containers; releasing it twice is harmless. */
export interface StudentSlot {
  release(): void;
}

interface JobQueue {
  running: number;
  waiting: ((slot: StudentSlot | undefined) => void)[];
}

/**
 * The student-container budget: at most `perJob` of one job's student containers at once. Further requests wait in
 * the order they came and get a place as others end; when the job ends, the waiting ones get none.
 */
export class StudentSlots {
  private readonly jobs = new Map<string, JobQueue>();

  constructor(private readonly perJob: number) {}

  /** Resolves with a slot when one is free, or with undefined when the job ended first. */
  take(jobId: string): Promise<StudentSlot | undefined> {
    const queue = this.jobs.get(jobId) ?? { running: 0, waiting: [] };
    this.jobs.set(jobId, queue);
    if (queue.running < this.perJob) {
      queue.running++;
      return Promise.resolve(this.slotOf(jobId, queue));
    }
    return new Promise((resolve) => queue.waiting.push(resolve));
  }

  /** The job ended: its waiting requests get no slot, and nothing of it is kept. */
  closeJob(jobId: string): void {
    const queue = this.jobs.get(jobId);
    this.jobs.delete(jobId);
    for (const resolve of queue?.waiting ?? []) resolve(undefined);
  }

  running(jobId: string): number {
    return this.jobs.get(jobId)?.running ?? 0;
  }

  waiting(jobId: string): number {
    return this.jobs.get(jobId)?.waiting.length ?? 0;
  }

  private slotOf(jobId: string, queue: JobQueue): StudentSlot {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        if (this.jobs.get(jobId) !== queue) return; // the job already ended
        const next = queue.waiting.shift();
        if (next) return next(this.slotOf(jobId, queue));
        queue.running--;
        if (queue.running === 0) this.jobs.delete(jobId);
      },
    };
  }
}
