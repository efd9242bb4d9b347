import { availableParallelism, cpus } from 'node:os';

/** Bounds of the limit-watching sweep. */
export class SweepSettings {
  constructor(
    /** Shortest gap between sweeps: bounds how late a CPU limit crossing is seen, and the cost near a limit. */
    readonly minPeriodMs: number,
    /** Longest gap between sweeps, even when every container is far from its limits. */
    readonly maxPeriodMs: number,
    /** The most CPU-seconds per second a container can burn. */
    readonly cpuCount: number,
    /** A read taking longer counts as failed, so one stuck Docker request cannot stall the sweep for every container. */
    readonly readTimeoutMs = 2_000,
  ) {}

  static forThisHost(): SweepSettings {
    // availableParallelism() honours this process's CPU affinity, which may be narrower than what containers get.
    return new SweepSettings(100, 2_000, Math.max(cpus().length, availableParallelism()));
  }
}
