import { cpuSeconds, rssMiB } from '../bench/process-usage';

export interface UsageSample {
  /** seconds since the soak began */
  t: number;
  rssMiB: number;
  cpuSeconds: number;
}

/** RSS and CPU of one agent process over time (a new series per process: a restarted agent starts anew). */
export class UsageSeries {
  readonly samples: UsageSample[] = [];

  constructor(
    readonly agent: string,
    readonly pid: number,
  ) {}

  /** @returns false once the process is gone (a killed process not yet reaped has no resident memory) */
  sample(t: number): boolean {
    try {
      const rss = rssMiB(this.pid);
      if (rss === 0) return false;
      this.samples.push({ t, rssMiB: rss, cpuSeconds: cpuSeconds(this.pid) });
      return true;
    } catch {
      return false;
    }
  }
}

/** Least-squares slope of y over x (0 with fewer than two distinct x). */
export function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const meanX = points.reduce((s, [x]) => s + x, 0) / n;
  const meanY = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - meanX) ** 2, 0);
  if (sxx === 0) return 0;
  return points.reduce((s, [x, y]) => s + (x - meanX) * (y - meanY), 0) / sxx;
}
