import { describe, expect, it } from 'vitest';
import { slope, UsageSeries } from './usage-series';

describe('usage series', () => {
  it('slope: least squares, flat and degenerate cases', () => {
    expect(slope([[0, 1], [1, 3], [2, 5]])).toBeCloseTo(2);
    expect(slope([[0, 7], [10, 7], [20, 7]])).toBe(0);
    expect(slope([[5, 1]])).toBe(0);
    expect(slope([[5, 1], [5, 9]])).toBe(0);
  });

  it('samples this process from /proc; a gone process stops the series', () => {
    const own = new UsageSeries('me', process.pid);
    expect(own.sample(0)).toBe(true);
    expect(own.samples[0].rssMiB).toBeGreaterThan(1);
    expect(new UsageSeries('gone', 2 ** 22 + 12345).sample(0)).toBe(false);
  });
});
