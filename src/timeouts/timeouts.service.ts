import { Inject, Injectable, type OnModuleDestroy, Optional } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Telemetry } from '../telemetry/telemetry';
import { Clock, type TimerHandle } from './clock';
import { ContainerCpuUsage } from './container-cpu-usage';
import type { CpuReading } from './cpu-reading';
import { nextSweepDelayMs, type WatchProgress } from './sweep-schedule';
import { SweepSettings } from './sweep-settings';
import type { ExceededReason, WatchLimits } from './watch-limits';

interface Watch extends WatchProgress {
  limits: WatchLimits;
  onExceeded: (reason: ExceededReason) => void;
  failing: boolean;
  processLimitHit: boolean;
}

type SweepRead = CpuReading | { kind: 'failed'; error: unknown };

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

  /** Calls `onExceeded` at most once, when a limit is crossed; watching an already watched container restarts its watch. */
  watch(containerId: string, limits: WatchLimits, onExceeded: (reason: ExceededReason) => void): void {
    const now = this.clock.now();
    this.watches.set(containerId, {
      limits,
      onExceeded,
      wallDeadlineMs: now + limits.wallSeconds * 1000,
      cpuLimitSeconds: limits.cpuSeconds,
      gone: false,
      failing: false,
      processLimitHit: false,
    });
    this.logger.debug({ containerId, ...limits }, 'watching limits');
    // A first reading soon, in case the container used CPU before it was watched; a burst of watches shares it.
    this.scheduleAt(now + this.settings.minPeriodMs);
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
      const reads = await Promise.all(batch.map(([containerId]) => this.readSafely(containerId)));
      const now = this.clock.now();
      batch.forEach(([containerId, watch], i) => {
        if (this.watches.get(containerId) !== watch) return; // unwatched or re-watched while reading
        this.record(containerId, watch, reads[i], startedAtMs);
        const reason = this.exceeded(watch, now);
        if (reason) this.fire(containerId, watch, reason);
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

  private async readSafely(containerId: string): Promise<SweepRead> {
    let timer: TimerHandle | undefined;
    const timeout = new Promise<SweepRead>((resolve) => {
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

  private record(containerId: string, watch: Watch, read: SweepRead, startedAtMs: number): void {
    if (read.kind === 'usage') {
      watch.lastCpu = { seconds: read.cpuSeconds, atMs: startedAtMs };
      watch.processLimitHit = (read.processLimitHits ?? 0) > 0;
      watch.gone = false;
      watch.failing = false;
    } else if (read.kind === 'gone') {
      watch.gone = true;
    } else {
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
    this.logger.info({ containerId, reason, cpuSeconds: watch.lastCpu?.seconds, limits: watch.limits }, 'limit exceeded');
    this.telemetry.record('limit.crossed', { kind: reason });
    try {
      watch.onExceeded(reason);
    } catch (error) {
      this.logger.error({ containerId, err: error }, 'limit-exceeded handler threw');
    }
  }
}
