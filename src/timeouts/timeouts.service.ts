import { Inject, Injectable, type OnModuleDestroy, Optional } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Telemetry } from '../telemetry/telemetry';
import { Clock, type TimerHandle } from './clock';
import { ContainerCpuUsage } from './container-cpu-usage';
import type { CpuReading } from './cpu-reading';
import { nextSweepDelayMs, type WatchProgress } from './sweep-schedule';
import { SweepSettings } from './sweep-settings';
import type { ExceededReason, WatchLimits } from './watch-limits';

/** Where a container stands when its watch begins; by default it runs and everything it used counts. */
export interface WatchFrom {
  /** CPU it used before its job began (a warm container's idle runtime), not charged */
  cpuUsedBeforeSeconds?: number;
  /** its job starts it after the watch begins and says so (`started`): until then only its wall time runs */
  startsLater?: boolean;
}

interface Watch extends WatchProgress {
  limits: WatchLimits;
  cpuUsedBeforeSeconds: number;
  onExceeded: (reason: ExceededReason) => void;
  failing: boolean;
  processLimitHit: boolean;
}

type Read = CpuReading | { kind: 'failed'; error: unknown };
type SweepRead = Read | { kind: 'not-read' };
/** what a sweep has for a container not started yet: only its wall time is judged */
const NOT_READ: SweepRead = { kind: 'not-read' };

/**
 * Watches the CPU and wall time of containers, and whether they hit their process limit. All watched containers are read in one sweep, scheduled at the
 * earliest moment any of them could cross a limit (see sweep-schedule.ts); no timer exists while nothing is watched.
 */
@Injectable()
export class TimeoutsService implements OnModuleDestroy {
  @Optional() @Inject(Telemetry) private readonly telemetry = new Telemetry();
  private readonly watches = new Map<string, Watch>();
  private timer?: TimerHandle;
  private timerDueMs = Infinity;
  private sweeping = false;

  constructor(
    private readonly cpuUsage: ContainerCpuUsage,
    private readonly clock: Clock,
    private readonly settings: SweepSettings,
    @InjectPinoLogger(TimeoutsService.name) private readonly logger: PinoLogger,
  ) {}

  /**
   * Calls `onExceeded` at most once, when a limit is crossed; watching an already watched container restarts its watch.
   */
  watch(containerId: string, limits: WatchLimits, onExceeded: (reason: ExceededReason) => void, from: WatchFrom = {}): void {
    const now = this.clock.now();
    const cpuUsedBeforeSeconds = from.cpuUsedBeforeSeconds ?? 0;
    this.watches.set(containerId, {
      limits,
      cpuUsedBeforeSeconds,
      onExceeded,
      wallDeadlineMs: now + limits.wallSeconds * 1000,
      cpuLimitSeconds: cpuUsedBeforeSeconds + limits.cpuSeconds,
      gone: false,
      notStarted: from.startsLater === true,
      failing: false,
      processLimitHit: false,
    });
    this.logger.debug({ containerId, ...limits }, 'watching limits');
    // A first reading soon, in case the container used CPU before it was watched; a burst of watches shares it.
    this.scheduleAt(now + this.settings.minPeriodMs);
  }

  /**
   * A container watched with `startsLater` now runs: its CPU is read from the next sweep on. Before, it has no cgroup to
   * read, and the fallback (Docker's stats) would only cost dockerd work during the container's start.
   */
  started(containerId: string): void {
    const watch = this.watches.get(containerId);
    if (!watch?.notStarted) return;
    watch.notStarted = false;
    this.scheduleAt(this.clock.now() + this.settings.minPeriodMs);
  }

  /** The CPU seconds a container used so far, for `watch`'s `cpuUsedBeforeSeconds`; throws when it cannot be read. */
  async cpuUsedSeconds(containerId: string): Promise<number> {
    const read = await this.readSafely(containerId);
    if (read.kind === 'usage') return read.cpuSeconds;
    throw read.kind === 'gone' ? new Error(`container ${containerId} is gone`) : read.error;
  }

  /** Reads one watched container at once, outside the sweep, and fires its limit if crossed (a last look before a result counts). */
  async checkNow(containerId: string): Promise<void> {
    const watch = this.watches.get(containerId);
    if (!watch || watch.notStarted) return;
    const startedAtMs = this.clock.now();
    const read = await this.readSafely(containerId);
    if (this.watches.get(containerId) === watch) this.judge(containerId, watch, read, startedAtMs, this.clock.now());
  }

  unwatch(containerId: string): void {
    if (!this.watches.delete(containerId)) return;
    this.cpuUsage.forget(containerId);
    if (this.watches.size === 0) this.cancelTimer();
  }

  onModuleDestroy(): void {
    this.watches.clear();
    this.cancelTimer();
  }

  private scheduleAt(dueMs: number): void {
    // A running sweep schedules the next one when it ends, from everything watched by then.
    if (this.sweeping || this.timerDueMs <= dueMs) return;
    this.cancelTimer();
    this.timerDueMs = dueMs;
    this.timer = this.clock.setTimer(() => void this.sweep(), Math.max(0, dueMs - this.clock.now()));
  }

  private cancelTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.timerDueMs = Infinity;
  }

  private async sweep(): Promise<void> {
    this.timer = undefined;
    this.timerDueMs = Infinity;
    this.sweeping = true;
    try {
      const startedAtMs = this.clock.now();
      const batch = [...this.watches];
      const reads = await Promise.all(batch.map(([containerId, watch]) => (watch.notStarted ? NOT_READ : this.readSafely(containerId))));
      const now = this.clock.now();
      batch.forEach(([containerId, watch], i) => {
        if (this.watches.get(containerId) !== watch) return; // unwatched or re-watched while reading
        this.judge(containerId, watch, reads[i], startedAtMs, now);
      });
      this.telemetry.record('limit.sweep', { seconds: (this.clock.now() - startedAtMs) / 1000, containers: batch.length });
    } finally {
      this.sweeping = false;
    }
    if (this.watches.size > 0) {
      const now = this.clock.now();
      this.scheduleAt(now + nextSweepDelayMs(this.watches.values(), this.settings, now));
    }
  }

  private async readSafely(containerId: string): Promise<Read> {
    let timer: TimerHandle | undefined;
    const timeout = new Promise<Read>((resolve) => {
      const error = new Error(`CPU read took more than ${this.settings.readTimeoutMs} ms`);
      timer = this.clock.setTimer(() => resolve({ kind: 'failed', error }), this.settings.readTimeoutMs);
    });
    try {
      return await Promise.race([this.cpuUsage.read(containerId), timeout]);
    } catch (error) {
      return { kind: 'failed', error };
    } finally {
      timer?.cancel();
    }
  }

  private judge(containerId: string, watch: Watch, read: SweepRead, startedAtMs: number, nowMs: number): void {
    this.record(containerId, watch, read, startedAtMs);
    const reason = this.exceeded(watch, nowMs);
    if (reason) this.fire(containerId, watch, reason);
  }

  private record(containerId: string, watch: Watch, read: SweepRead, startedAtMs: number): void {
    if (read.kind === 'usage') {
      watch.lastCpu = { seconds: read.cpuSeconds, atMs: startedAtMs };
      watch.processLimitHit = (read.processLimitHits ?? 0) > 0;
      watch.gone = false;
      watch.failing = false;
    } else if (read.kind === 'gone') {
      watch.gone = true;
    } else if (read.kind === 'failed') {
      // Logged loudly once per run of failures: a sweep may come every 100 ms.
      if (watch.failing) this.logger.debug({ containerId, err: read.error }, 'CPU read failed again');
      else this.logger.warn({ containerId, err: read.error }, 'CPU read failed');
      watch.failing = true;
    }
  }

  private exceeded(watch: Watch, nowMs: number): ExceededReason | undefined {
    if (watch.processLimitHit) return 'processes';
    if (watch.lastCpu && watch.lastCpu.seconds >= watch.cpuLimitSeconds) return 'cpu';
    if (nowMs >= watch.wallDeadlineMs) return 'wall';
    return undefined;
  }

  private fire(containerId: string, watch: Watch, reason: ExceededReason): void {
    this.watches.delete(containerId);
    this.cpuUsage.forget(containerId);
    const jobCpuSeconds = watch.lastCpu && watch.lastCpu.seconds - watch.cpuUsedBeforeSeconds;
    this.logger.info({ containerId, reason, cpuSeconds: watch.lastCpu?.seconds, jobCpuSeconds, limits: watch.limits }, 'limit exceeded');
    this.telemetry.record('limit.crossed', { kind: reason });
    try {
      watch.onExceeded(reason);
    } catch (error) {
      this.logger.error({ containerId, err: error }, 'limit-exceeded handler threw');
    }
  }
}
