/** Bounds of the disk measurements. */
export class DiskSweepSettings {
  constructor(
    /** Shortest gap between two walks of one job: small trees are walked this often. */
    readonly minPeriodMs = 250,
    /** A walk that took T ms is followed by a pause of at least this × T: walking costs at most 1/(1+this) of a core per job. */
    readonly costFactor = 10,
    /** How often the host's free space is read (one statfs). */
    readonly hostCheckPeriodMs = 1_000,
  ) {}
}
