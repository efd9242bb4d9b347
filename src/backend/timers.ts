import { Injectable } from '@nestjs/common';

/** Wall-clock timers behind a class, so that logic waiting on time can be tested with a fake. */
@Injectable()
export class Timers {
  /** Calls `callback` once after `ms`; returns a function that cancels it. */
  after(ms: number, callback: () => void): () => void {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  }
}
