import { Clock, type TimerHandle } from '../../src/timeouts/clock';

/** A clock the test moves: timers fire in order, and what they start is let run before the next one. */
export class FakeClock extends Clock {
  private time = 0;
  private timers: { dueMs: number; callback: () => void; cancelled: boolean }[] = [];

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const timer = { dueMs: this.time + delayMs, callback, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  /** Time passing inside a call (a slow read). */
  spend(ms: number): void {
    this.time += ms;
  }

  pending(): number[] {
    return this.timers.filter((t) => !t.cancelled).map((t) => t.dueMs);
  }

  /** Moves time forward, firing due timers in order and letting the sweeps they start finish. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const next = this.timers.filter((t) => !t.cancelled && t.dueMs <= end).sort((a, b) => a.dueMs - b.dueMs)[0];
      if (!next) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.time = next.dueMs;
      next.callback();
      await flush();
    }
    this.time = end;
  }
}

export const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
