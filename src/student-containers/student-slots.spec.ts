import { describe, expect, it } from 'vitest';
import { type StudentSlot, StudentSlots } from './student-slots';

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('StudentSlots', () => {
  it('gives at most N places to one job; the others wait and get theirs in order as places free', async () => {
    const slots = new StudentSlots(2);
    const got: [number, StudentSlot | undefined][] = [];
    for (let i = 0; i < 5; i++) void slots.take('job').then((slot) => got.push([i, slot]));
    await settle();
    expect(got.map(([i]) => i)).toEqual([0, 1]);
    expect([slots.running('job'), slots.waiting('job')]).toEqual([2, 3]);

    got[1][1]?.release();
    await settle();
    expect(got.map(([i]) => i)).toEqual([0, 1, 2]);
    got[0][1]?.release();
    got[2][1]?.release();
    await settle();
    expect(got.map(([i]) => i)).toEqual([0, 1, 2, 3, 4]);
    expect([slots.running('job'), slots.waiting('job')]).toEqual([2, 0]);
  });

  it('jobs have separate budgets', async () => {
    const slots = new StudentSlots(1);
    const a = await slots.take('a');
    const b = await slots.take('b');
    expect(a).toBeDefined();
    expect(b).toBeDefined();
  });

  it('releasing twice frees one place only', async () => {
    const slots = new StudentSlots(1);
    const first = await slots.take('job');
    const got: (StudentSlot | undefined)[] = [];
    void slots.take('job').then((s) => got.push(s));
    void slots.take('job').then((s) => got.push(s));
    first?.release();
    first?.release();
    await settle();
    expect(got).toHaveLength(1);
    expect(slots.running('job')).toBe(1);
  });

  it('a job that ends: its waiting requests get no place, a late release changes nothing, and nothing is kept', async () => {
    const slots = new StudentSlots(1);
    const held = await slots.take('job');
    const waiting = slots.take('job');
    slots.closeJob('job');
    expect(await waiting).toBeUndefined();
    held?.release();
    expect([slots.running('job'), slots.waiting('job')]).toEqual([0, 0]);
    expect(await slots.take('job')).toBeDefined();
  });

  it('all places released: the job is forgotten', async () => {
    const slots = new StudentSlots(3);
    const held = await Promise.all([slots.take('job'), slots.take('job')]);
    held.forEach((slot) => slot?.release());
    expect(slots.running('job')).toBe(0);
  });
});
