import type { FakeBackend } from './fake-backend';

/**
 * Pings the agent one Ping at a time, `gapMs` apart, until `work` settles, and returns every Ping → Pong round trip
 * (ms) with what `work` resolved to. The backend's own once-a-second pinging is paused meanwhile, so each Pong answers
 * the Ping just sent. A Pong missing for 5 s (the real backend's patience) fails.
 */
export async function pongsDuring<T>(backend: FakeBackend, work: Promise<T>, gapMs = 50): Promise<{ result: T; roundTripsMs: number[] }> {
  backend.stopPinging();
  const roundTripsMs: number[] = [];
  let settled = false;
  const outcome = work.finally(() => (settled = true));
  try {
    while (!settled) {
      const since = backend.mark();
      const sent = performance.now();
      await backend.ping();
      await backend.waitFor('Pong', { since, timeoutMs: 5_000 });
      roundTripsMs.push(performance.now() - sent);
      await new Promise((r) => setTimeout(r, gapMs));
    }
    return { result: await outcome, roundTripsMs };
  } finally {
    backend.startPinging();
  }
}
