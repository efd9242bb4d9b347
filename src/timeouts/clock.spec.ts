import { describe, expect, it } from 'vitest';
import { SystemClock } from './clock';

describe('SystemClock', () => {
  const clock = new SystemClock();

  it('fires a timer after its delay, on a monotonic clock', async () => {
    const start = clock.now();
    const firedAt = await new Promise<number>((resolve) => clock.setTimer(() => resolve(clock.now()), 30));
    expect(firedAt - start).toBeGreaterThanOrEqual(29);
  });

  it('does not fire a cancelled timer', async () => {
    let fired = false;
    clock.setTimer(() => (fired = true), 10).cancel();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(fired).toBe(false);
  });
});
