import type { HeartbeatWatchdog } from '../backend/heartbeat-watchdog';

/** The backend pings every second: three seconds without a message means Pings are not arriving. */
export const BACKEND_HEARD_WITHIN_MS = 3000;

/** Registered (hello said, backend not silent) and heard from recently. */
export function backendLinkUp(watchdog: HeartbeatWatchdog, nowMs: number): boolean {
  const heardAt = watchdog.lastHeardAtMs;
  return watchdog.watching && heardAt !== undefined && nowMs - heardAt <= BACKEND_HEARD_WITHIN_MS;
}
