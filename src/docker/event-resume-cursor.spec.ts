import { describe, expect, it } from 'vitest';
import type { ContainerEvent } from './docker.types';
import { EventResumeCursor, formatSince } from './event-resume-cursor';

const die = (containerId: string, timeNano: bigint): ContainerEvent => ({ kind: 'die', containerId, exitCode: 0, timeNano });

describe('formatSince', () => {
  it('writes seconds and 9 digits of nanoseconds', () => {
    expect(formatSince(1795831219676964142n)).toBe('1795831219.676964142');
    expect(formatSince(1795831219000000007n)).toBe('1795831219.000000007');
    expect(formatSince(5n)).toBe('0.000000005');
  });

  it('never goes below zero', () => {
    expect(formatSince(-3n)).toBe('0.000000000');
  });
});

describe('EventResumeCursor', () => {
  it('has no since before anything was watched', () => {
    expect(new EventResumeCursor().since()).toBeUndefined();
  });

  it('resumes one second before the latest event seen', () => {
    const cursor = new EventResumeCursor();
    cursor.accept(die('a', 1795831219676964142n));
    cursor.accept(die('b', 1795831220000000001n));
    expect(cursor.since()).toBe('1795831219.000000001');
  });

  it('does not move back for an event stamped earlier than the latest', () => {
    const cursor = new EventResumeCursor();
    cursor.accept(die('a', 10_000_000_000n));
    cursor.accept(die('b', 9_000_000_000n));
    expect(cursor.since()).toBe('9.000000000');
  });

  it('resumes from the first opening time until an event comes, then from events only', () => {
    const cursor = new EventResumeCursor();
    cursor.watchedSince(20_500_000_000n);
    cursor.watchedSince(30_000_000_000n);
    expect(cursor.since()).toBe('19.500000000');
    cursor.accept(die('a', 15_000_000_000n));
    expect(cursor.since()).toBe('14.000000000');
  });

  it('accepts an event once and drops its re-delivery', () => {
    const cursor = new EventResumeCursor();
    expect(cursor.accept(die('a', 1n))).toBe(true);
    expect(cursor.accept(die('a', 1n))).toBe(false);
  });

  it('tells apart events at the same time, of other containers or kinds', () => {
    const cursor = new EventResumeCursor();
    expect(cursor.accept(die('a', 1n))).toBe(true);
    expect(cursor.accept(die('b', 1n))).toBe(true);
    expect(cursor.accept({ kind: 'oom', containerId: 'a', timeNano: 1n })).toBe(true);
  });

  it('forgets the oldest keys beyond its bound', () => {
    const cursor = new EventResumeCursor(2);
    cursor.accept(die('a', 1n));
    cursor.accept(die('b', 2n));
    cursor.accept(die('c', 3n));
    expect(cursor.accept(die('b', 2n))).toBe(false);
    expect(cursor.accept(die('a', 1n))).toBe(true);
  });
});
