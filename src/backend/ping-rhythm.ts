const MIB = 1024 * 1024;
/** Smaller messages cross in a few milliseconds: never held. */
export const HELD_FROM_BYTES = MIB;
/** What a message takes to cross loopback on a loaded machine, per MiB (measured 6–9 ms: README, "Benchmarks"). */
const CROSSING_MS_PER_MIB = 8;
/** How long past its expected time a Ping is still waited for. */
const LATE_PING_GRACE_MS = 50;

/**
 * When the backend's next Ping is due, from the interval between the last two (the real backend pings about once a
 * second). A Pong sent while a large message crosses the connection waits for all of it: so a large message that
 * would still be crossing when the next Ping is due waits for that Ping to be answered, then goes with a whole period
 * ahead of it. Never when the period itself is shorter than the crossing (no gap to fit it in), and never longer than
 * the expected crossing plus a grace.
 */
export class PingRhythm {
  private lastAt?: number;
  private period?: number;

  pinged(at: number): void {
    if (this.lastAt !== undefined) this.period = at - this.lastAt;
    this.lastAt = at;
  }

  /** Milliseconds a message of `bytes` should wait before it is handed to the socket; 0: now. */
  holdFor(bytes: number, now: number): number {
    if (bytes < HELD_FROM_BYTES || this.lastAt === undefined || this.period === undefined) return 0;
    const crossingMs = (bytes / MIB) * CROSSING_MS_PER_MIB;
    if (this.period <= crossingMs) return 0;
    const nextPingAt = this.lastAt + this.period;
    if (nextPingAt - now > crossingMs) return 0;
    return Math.max(0, nextPingAt + LATE_PING_GRACE_MS - now);
  }
}
