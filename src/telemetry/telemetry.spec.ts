import { describe, expect, it } from 'vitest';
import { Telemetry } from './telemetry';

describe('Telemetry', () => {
  it('hands each signal to the listeners of its name only', () => {
    const telemetry = new Telemetry();
    const sweeps: number[] = [];
    const pongs: number[] = [];
    telemetry.on('limit.sweep', (s) => sweeps.push(s.containers));
    telemetry.on('backend.pong', (s) => pongs.push(s.seconds));
    telemetry.record('limit.sweep', { seconds: 0.01, containers: 3 });
    expect(sweeps).toEqual([3]);
    expect(pongs).toEqual([]);
  });

  it('keeps a failing listener away from the caller', () => {
    const telemetry = new Telemetry();
    telemetry.on('student.retval', () => {
      throw new Error('listener broke');
    });
    expect(() => telemetry.record('student.retval', { retval: 0 })).not.toThrow();
  });
});
