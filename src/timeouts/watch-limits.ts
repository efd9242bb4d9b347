/** `processes`: the container hit its pids limit (a fork storm), seen in its cgroup. */
export type ExceededReason = 'cpu' | 'wall' | 'processes';

export interface WatchLimits {
  /** CPU seconds of all the container's processes */
  cpuSeconds: number;
  /** seconds since the watch began */
  wallSeconds: number;
}
