import { Injectable } from '@nestjs/common';

export interface TimerHandle {
  cancel(): void;
}

/** Time and timers, behind a class so the sweep can be driven by a fake clock in unit tests. */
export abstract class Clock {
  /** Monotonic milliseconds. */
  abstract now(): number;
  abstract setTimer(callback: () => void, delayMs: number): TimerHandle;
}

@Injectable()
export class SystemClock extends Clock {
  now(): number {
    return performance.now();
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const timer = setTimeout(callback, delayMs);
    return { cancel: () => clearTimeout(timer) };
  }
}
