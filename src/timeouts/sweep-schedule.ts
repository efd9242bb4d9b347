import type { SweepSettings } from './sweep-settings';

/** What the schedule needs to know about one watched container. */
export interface WatchProgress {
  /** Monotonic ms at which its wall time runs out. */
  wallDeadlineMs: number;
  cpuLimitSeconds: number;
  /** Its last CPU reading and when the sweep that took it began; absent until a first reading succeeds. */
  lastCpu?: { seconds: number; atMs: number };
  /** It no longer runs, so its CPU use cannot grow. */
  gone: boolean;
  /** It does not run yet: its CPU use cannot grow until it starts. */
  notStarted: boolean;
}

/**
 * The earliest moment any watched container could cross a limit. A container burns at most `cpuCount` CPU-seconds per
 * second, so one with H CPU-seconds left cannot cross before H / cpuCount seconds after its reading.
 */
function earliestCrossingMs(watches: Iterable<WatchProgress>, cpuCount: number, nowMs: number): number {
  let earliest = Infinity;
  for (const watch of watches) {
    earliest = Math.min(earliest, watch.wallDeadlineMs);
    if (watch.gone || watch.notStarted) continue;
    const cpuDueMs = watch.lastCpu
      ? watch.lastCpu.atMs + ((watch.cpuLimitSeconds - watch.lastCpu.seconds) / cpuCount) * 1000
      : nowMs;
    earliest = Math.min(earliest, cpuDueMs);
  }
  return earliest;
}

/** Sweeping again at the earliest possible crossing, within the bounds, means no crossing waits more than the minimum period. */
export function nextSweepDelayMs(watches: Iterable<WatchProgress>, settings: SweepSettings, nowMs: number): number {
  const untilCrossing = earliestCrossingMs(watches, settings.cpuCount, nowMs) - nowMs;
  return Math.min(settings.maxPeriodMs, Math.max(settings.minPeriodMs, untilCrossing));
}
