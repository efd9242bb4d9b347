import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { AgentConfig } from '../config/agent-config';
import { JobFolders } from '../job-files/job-folders';
import { Clock, type TimerHandle } from '../timeouts/clock';

/** While jobs grade, removals run in slices of this period: `cleanupBusyPercent` of it run, the rest stopped. */
export const REMOVAL_SLICE_PERIOD_MS = 200;

/**
 * When finished jobs' folders are removed (issue #10). Freeing many files a container made costs the kernel work (the
 * inodes and dentries charged to the job's memory cgroup) that slows every container start and process on the host,
 * whatever the removal's priority: +0.3–1 s per overlapping job for 200 000 files, measured. A stopped `rm` costs
 * nothing. So while no job grades, removals run freely; while one does, they are held, and run only in short slices
 * (`cleanupBusyPercent` of the time), which spreads their cost thin. Each removal yields for at most
 * `cleanupHoldMaxS` from its request (JobFolders), then runs to its end, so that the disk space always comes back.
 */
@Injectable()
export class FolderRemovalTurns implements OnModuleDestroy {
  private holding = false;
  private slice?: TimerHandle;

  constructor(
    private readonly folders: JobFolders,
    private readonly clock: Clock,
    private readonly config: AgentConfig,
  ) {}

  /** Told by the jobs' registry whenever the number of jobs grading changes. */
  gradingJobs(count: number): void {
    if (count > 0) this.hold();
    else this.release();
  }

  /** At shutdown no slice is left pending (the removals themselves are let go by their remover). */
  onModuleDestroy(): void {
    this.slice?.cancel();
    this.holding = false;
  }

  private hold(): void {
    if (this.holding || this.config.cleanupHoldMaxS === 0 || this.config.cleanupBusyPercent === 100) return;
    this.holding = true;
    this.folders.holdRemovals();
    this.nextSlice();
  }

  /** Stopped for the rest of the period, then released for the slice, then held again. */
  private nextSlice(): void {
    const runMs = (REMOVAL_SLICE_PERIOD_MS * this.config.cleanupBusyPercent) / 100;
    if (runMs === 0) return;
    this.slice = this.clock.setTimer(() => {
      this.folders.releaseRemovals();
      this.slice = this.clock.setTimer(() => {
        this.folders.holdRemovals();
        this.nextSlice();
      }, runMs);
    }, REMOVAL_SLICE_PERIOD_MS - runMs);
  }

  private release(): void {
    if (!this.holding) return;
    this.holding = false;
    this.slice?.cancel();
    this.folders.releaseRemovals();
  }
}
