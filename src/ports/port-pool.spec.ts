import { describe, expect, it } from 'vitest';
import type { AgentConfig } from '../config/agent-config';
import { PortPool } from './port-pool';
import { PortsExhaustedError } from './ports-exhausted.error';

const poolOf = (first: number, last: number) => new PortPool({ debugPorts: { first, last } } as AgentConfig);

describe('PortPool', () => {
  it('hands out distinct ports of the inclusive range', () => {
    const pool = poolOf(64120, 64124);
    const ports = pool.acquire(5);
    expect([...ports].sort()).toEqual([64120, 64121, 64122, 64123, 64124]);
    expect(pool.inUse()).toBe(5);
  });

  it('gives an empty list for zero ports', () => {
    const pool = poolOf(1000, 1001);
    expect(pool.acquire(0)).toEqual([]);
    expect(pool.inUse()).toBe(0);
  });

  it('throws a PortsExhaustedError naming the shortage and takes nothing when too few are free', () => {
    const pool = poolOf(1000, 1002);
    pool.acquire(2);
    let error: unknown;
    try {
      pool.acquire(2);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PortsExhaustedError);
    expect((error as PortsExhaustedError).message).toBe('cannot allocate 2 external port(s): only 1 free in 1000-1002');
    expect(pool.inUse()).toBe(2);
    expect(pool.acquire(1)).toEqual([1002]);
  });

  it('refuses more ports than the whole range holds', () => {
    expect(() => poolOf(1000, 1000).acquire(2)).toThrow(PortsExhaustedError);
  });

  it('makes released ports available again', () => {
    const pool = poolOf(1000, 1001);
    const ports = pool.acquire(2);
    pool.release(ports);
    expect(pool.inUse()).toBe(0);
    expect([...pool.acquire(2)].sort()).toEqual([1000, 1001]);
  });

  it('ignores double releases and ports it never gave', () => {
    const pool = poolOf(1000, 1003);
    const [a, b] = pool.acquire(2);
    pool.release([a]);
    pool.release([a, 999, 1003, 5000]);
    expect(pool.inUse()).toBe(1);
    pool.release([b]);
    expect(pool.inUse()).toBe(0);
  });

  it('reuses a released port only after the others (round-robin)', () => {
    const pool = poolOf(1000, 1002);
    const [first] = pool.acquire(1);
    pool.release([first]);
    expect(pool.acquire(1)).toEqual([1001]);
    expect(pool.acquire(1)).toEqual([1002]);
    expect(pool.acquire(1)).toEqual([1000]);
  });

  it('skips taken ports when wrapping around', () => {
    const pool = poolOf(1000, 1003);
    const ports = pool.acquire(4);
    pool.release([ports[1], ports[3]]);
    expect([...pool.acquire(2)].sort()).toEqual([1001, 1003]);
    expect(() => pool.acquire(1)).toThrow(PortsExhaustedError);
  });

  it('rejects a negative or fractional count', () => {
    const pool = poolOf(1000, 1003);
    expect(() => pool.acquire(-1)).toThrow(RangeError);
    expect(() => pool.acquire(1.5)).toThrow(RangeError);
    expect(pool.inUse()).toBe(0);
  });
});
