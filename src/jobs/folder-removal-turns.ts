import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { AgentConfig } from '../config/agent-config';
import { JobFolders } from '../job-files/job-folders';
import { Clock, type TimerHandle } from '../timeouts/clock';

/**
 * When finished jobs' folders are removed: while no job grades (issue #10). Freeing many files a container made costs
 * the kernel work (the inodes and dentries charged to the job's memory cgroup) that slows every container start and
 * process on the host, whatever the removal's priority: +0.3–1 s per overlapping job for 200 000 files, measured. A
 * stopped `rm` costs nothing. A hold lasts at most `cleanupHoldMaxS`; then the removals of that moment run to their
 * end whatever the jobs do, so that the disk space always comes back, and later ones are held again.
 */
@Injectable()
export class FolderRemovalTurns implements OnModuleDestroy {
  private holding = false;
  /** past the longest hold: the removals of that moment run to their end */
  private draining = false;
  private jobsGrading = 0;
  private deadline?: TimerHandle;

  constructor(
    private readonly folders: JobFolders,
    private readonly clock: Clock,
    private readonly config: AgentConfig,
  ) {}

  /** Told by the jobs' registry whenever the number of jobs grading changes. */
  gradingJobs(count: number): void {
    this.jobsGrading = count;
    if (count > 0) this.hold();
    else this.release();
  }

  /** At shutdown no hold is left pending (the removals themselves are let go by their remover). */
  onModuleDestroy(): void {
    this.deadline?.cancel();
    this.holding = false;
  }

  private hold(): void {
    if (this.holding || this.draining || this.config.cleanupHoldMaxS === 0) return;
    this.holding = true;
    this.folders.holdRemovals();
    this.deadline = this.clock.setTimer(() => this.drain(), this.config.cleanupHoldMaxS * 1000);
  }

  private release(): void {
    if (!this.holding) return;
    this.holding = false;
    this.deadline?.cancel();
    this.folders.releaseRemovals();
  }

  private drain(): void {
    this.release();
    this.draining = true;
    void this.folders.whenCurrentRemovalsDone().then(() => {
      this.draining = false;
      if (this.jobsGrading > 0) this.hold();
    });
  }
}
