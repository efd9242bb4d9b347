import { describe, expect, it } from 'vitest';
import { HELD_FROM_BYTES, PingRhythm } from './ping-rhythm';

const MIB = 1024 * 1024;

function pingedEverySecond(): PingRhythm {
  const rhythm = new PingRhythm();
  rhythm.pinged(0);
  rhythm.pinged(1000);
  return rhythm;
}

describe('PingRhythm', () => {
  it('never holds before it knows the period, nor a message under 1 MiB', () => {
    const rhythm = new PingRhythm();
    expect(rhythm.holdFor(16 * MIB, 0)).toBe(0);
    rhythm.pinged(0);
    expect(rhythm.holdFor(16 * MIB, 990)).toBe(0);
    rhythm.pinged(1000);
    expect(rhythm.holdFor(HELD_FROM_BYTES - 1, 1990)).toBe(0);
  });

  it('lets a large message go when it crosses before the next Ping is due', () => {
    const rhythm = pingedEverySecond();
    expect(rhythm.holdFor(16 * MIB, 1100)).toBe(0); // 128 ms to cross, the Ping due in 900
    expect(rhythm.holdFor(16 * MIB, 1871)).toBe(0);
  });

  it('holds a large message that would still cross when the Ping is due: until it is answered, or its grace ran out', () => {
    const rhythm = pingedEverySecond();
    expect(rhythm.holdFor(16 * MIB, 1900)).toBe(150); // due at 2000, waited for until 2050
    expect(rhythm.holdFor(2 * MIB, 1990)).toBe(60);
    expect(rhythm.holdFor(16 * MIB, 2049)).toBe(1);
    expect(rhythm.holdFor(16 * MIB, 2050)).toBe(0); // the Ping is late: no longer waited for
    rhythm.pinged(2010);
    expect(rhythm.holdFor(16 * MIB, 2011)).toBe(0); // answered: a whole period ahead
  });

  it('never holds when Pings come faster than the message crosses (no gap would fit it)', () => {
    const rhythm = new PingRhythm();
    rhythm.pinged(0);
    rhythm.pinged(10);
    expect(rhythm.holdFor(16 * MIB, 15)).toBe(0);
  });
});
