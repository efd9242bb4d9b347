export type CpuSource = 'cgroup' | 'docker-stats';

/** A container's CPU use so far, or `gone` when it no longer runs (a normal end, not an error). */
export type CpuReading =
  | {
      kind: 'usage';
      cpuSeconds: number;
      source: CpuSource;
      /** forks refused at the pids limit so far (read with the cgroup only) */
      processLimitHits?: number;
    }
  | { kind: 'gone' };
