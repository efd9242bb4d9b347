export type ExceededReason = 'cpu' | 'wall';

export interface WatchLimits {
  /** CPU seconds of all the container's processes */
  cpuSeconds: number;
  /** seconds since the watch began */
  wallSeconds: number;
}
