import { describe, expect, it, vi } from 'vitest';
import type { AgentConfig } from '../config/agent-config';
import { HeartbeatWatchdog } from './heartbeat-watchdog';
import { Timers } from './timers';

class ManualTimers extends Timers {
  private now = 0;
  private pending: Array<{ at: number; callback: () => void; cancelled: boolean }> = [];

  override after(ms: number, callback: () => void): () => void {
    const timer = { at: this.now + ms, callback, cancelled: false };
    this.pending.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  advance(ms: number): void {
    this.now += ms;
    const due = this.pending.filter((t) => !t.cancelled && t.at <= this.now);
    this.pending = this.pending.filter((t) => !due.includes(t));
    for (const timer of due) timer.callback();
  }

  get armed(): number {
    return this.pending.filter((t) => !t.cancelled).length;
  }
}

function watchdog() {
  const timers = new ManualTimers();
  const dog = new HeartbeatWatchdog({ backendSilenceMs: 10_000 } as AgentConfig, timers);
  const silence = vi.fn<() => void>();
  return { dog, timers, silence };
}

describe('HeartbeatWatchdog', () => {
  it('calls back once after the configured silence', () => {
    const { dog, timers, silence } = watchdog();
    dog.start(silence);
    timers.advance(9_999);
    expect(silence).not.toHaveBeenCalled();
    timers.advance(1);
    expect(silence).toHaveBeenCalledTimes(1);
    timers.advance(60_000);
    expect(silence).toHaveBeenCalledTimes(1);
    expect(timers.armed).toBe(0);
  });

  it('starts counting again at every message', () => {
    const { dog, timers, silence } = watchdog();
    dog.start(silence);
    for (let i = 0; i < 5; i++) {
      timers.advance(9_000);
      dog.feed();
    }
    expect(silence).not.toHaveBeenCalled();
    expect(timers.armed).toBe(1);
    timers.advance(10_000);
    expect(silence).toHaveBeenCalledTimes(1);
  });

  it('does nothing when fed before being started or after being stopped', () => {
    const { dog, timers, silence } = watchdog();
    dog.feed();
    expect(timers.armed).toBe(0);
    dog.start(silence);
    dog.stop();
    dog.feed();
    timers.advance(20_000);
    expect(silence).not.toHaveBeenCalled();
  });

  it('can be started again from its own callback (a reconnect re-arms it)', () => {
    const { dog, timers } = watchdog();
    const onSilence = vi.fn(() => dog.start(onSilence));
    dog.start(onSilence);
    timers.advance(10_000);
    timers.advance(10_000);
    expect(onSilence).toHaveBeenCalledTimes(2);
    expect(timers.armed).toBe(1);
  });
});

describe('Timers', () => {
  it('fires after the delay and can be cancelled', async () => {
    vi.useFakeTimers();
    try {
      const timers = new Timers();
      const fired = vi.fn();
      const cancelled = vi.fn();
      timers.after(50, fired);
      timers.after(50, cancelled)();
      vi.advanceTimersByTime(50);
      expect(fired).toHaveBeenCalledTimes(1);
      expect(cancelled).not.toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });

  it('tells whether it is watching, when the backend was last heard and how often it fell silent', () => {
    const { dog, timers, silence } = watchdog();
    expect(dog.watching).toBe(false);
    dog.start(silence);
    expect(dog.watching).toBe(true);
    expect(dog.lastHeardAtMs).toBeUndefined();
    const before = Date.now();
    dog.feed();
    expect(dog.lastHeardAtMs).toBeGreaterThanOrEqual(before);
    timers.advance(10_000);
    expect(dog.watching).toBe(false);
    expect(dog.lastHeardAtMs).toBeUndefined();
    expect(dog.silences).toBe(1);
  });
});
