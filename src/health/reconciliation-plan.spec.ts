import { describe, expect, it } from 'vitest';
import type { OwnedContainer } from '../docker/docker.types';
import { EMPTY_MEMORY, planReconciliation, type ReconciliationMemory, type ReconciliationView } from './reconciliation-plan';

const GRACE = 60_000;
const container = (id: string, jobId: string | undefined, state = 'running'): OwnedContainer => ({
  id,
  jobId,
  role: jobId ? 'grading' : undefined,
  state,
});
const view = (over: Partial<ReconciliationView>): ReconciliationView => ({
  tracked: [],
  openJobIds: new Set(),
  pooledIds: new Set(),
  containers: [],
  ...over,
});

describe('planReconciliation', () => {
  it('does nothing when belief and Docker agree', () => {
    const plan = planReconciliation(
      view({ tracked: [{ containerId: 'c1', jobId: 'j1' }], openJobIds: new Set(['j1']), containers: [container('c1', 'j1')] }),
      EMPTY_MEMORY,
      1_000,
      GRACE,
    );
    expect(plan.vanished).toEqual([]);
    expect(plan.remove).toEqual([]);
    expect(plan.memory).toEqual(EMPTY_MEMORY);
  });

  it('finds the pooled warm containers that are not running any more, listed as exited or not listed at all', () => {
    const plan = planReconciliation(
      view({
        pooledIds: new Set(['w-running', 'w-exited', 'w-gone']),
        containers: [container('w-running', undefined), container('w-exited', undefined, 'exited')],
      }),
      EMPTY_MEMORY,
      1_000,
      GRACE,
    );
    expect(plan.deadInPool).toEqual(['w-exited', 'w-gone']);
    expect(plan.remove).toEqual([]);
  });

  it('remembers a tracked container missing for less than the grace, and reports it once the grace has passed', () => {
    const belief = view({ tracked: [{ containerId: 'c1', jobId: 'j1' }], openJobIds: new Set(['j1']) });
    const first = planReconciliation(belief, EMPTY_MEMORY, 1_000, GRACE);
    expect(first.vanished).toEqual([]);
    expect(first.memory.missingSince).toEqual(new Map([['c1', 1_000]]));

    const early = planReconciliation(belief, first.memory, 1_000 + GRACE - 1, GRACE);
    expect(early.vanished).toEqual([]);
    expect(early.memory.missingSince.get('c1')).toBe(1_000);

    const late = planReconciliation(belief, early.memory, 1_000 + GRACE, GRACE);
    expect(late.vanished).toEqual([{ containerId: 'c1', jobId: 'j1' }]);
    expect(late.memory.missingSince.size).toBe(0);
  });

  it('forgets a missing container that comes back', () => {
    const memory: ReconciliationMemory = { missingSince: new Map([['c1', 0]]), orphansSeen: new Set() };
    const plan = planReconciliation(
      view({ tracked: [{ containerId: 'c1', jobId: 'j1' }], openJobIds: new Set(['j1']), containers: [container('c1', 'j1')] }),
      memory,
      GRACE * 2,
      GRACE,
    );
    expect(plan.vanished).toEqual([]);
    expect(plan.memory.missingSince.size).toBe(0);
  });

  it.each(['exited', 'dead', 'removing'])('counts a tracked container that is %s as missing', (state) => {
    const belief = view({ tracked: [{ containerId: 'c1', jobId: 'j1' }], openJobIds: new Set(['j1']), containers: [container('c1', 'j1', state)] });
    const first = planReconciliation(belief, EMPTY_MEMORY, 0, GRACE);
    expect(planReconciliation(belief, first.memory, GRACE, GRACE).vanished).toHaveLength(1);
  });

  it.each(['created', 'paused', 'restarting'])('counts a tracked container that is %s as present', (state) => {
    const belief = view({ tracked: [{ containerId: 'c1', jobId: 'j1' }], openJobIds: new Set(['j1']), containers: [container('c1', 'j1', state)] });
    const first = planReconciliation(belief, EMPTY_MEMORY, 0, GRACE);
    expect(first.memory.missingSince.size).toBe(0);
    expect(planReconciliation(belief, first.memory, GRACE, GRACE).vanished).toEqual([]);
  });

  it('removes an orphan only on its second sighting', () => {
    const docker = view({ containers: [container('x', undefined, 'created'), container('y', 'gone-job', 'exited')] });
    const first = planReconciliation(docker, EMPTY_MEMORY, 0, GRACE);
    expect(first.remove).toEqual([]);
    expect(first.memory.orphansSeen).toEqual(new Set(['x', 'y']));

    const second = planReconciliation(docker, first.memory, 1, GRACE);
    expect(second.remove.map((c) => c.id)).toEqual(['x', 'y']);
  });

  it('never takes for an orphan a container of an open job: one being created, a student container, or one of a closing job', () => {
    const docker = view({
      tracked: [],
      openJobIds: new Set(['creating', 'closing', 'parent']),
      containers: [container('a', 'creating', 'created'), container('b', 'closing', 'exited'), { ...container('s', 'parent'), role: 'student' }],
    });
    const first = planReconciliation(docker, EMPTY_MEMORY, 0, GRACE);
    const second = planReconciliation(docker, first.memory, 1, GRACE);
    expect(second.remove).toEqual([]);
    expect(second.memory.orphansSeen.size).toBe(0);
  });

  it('never takes for an orphan a warm container the pool holds; a warm leftover the pool does not hold is one', () => {
    const docker = view({
      pooledIds: new Set(['w1']),
      containers: [{ ...container('w1', undefined), role: 'warm' }, { ...container('w2', undefined), role: 'warm' }],
    });
    const first = planReconciliation(docker, EMPTY_MEMORY, 0, GRACE);
    const second = planReconciliation(docker, first.memory, 1, GRACE);
    expect(second.remove.map((c) => c.id)).toEqual(['w2']);
  });

  it('does not remove a container whose first sighting as an orphan was followed by its job opening', () => {
    const orphanOnce: ReconciliationMemory = { missingSince: new Map(), orphansSeen: new Set(['a']) };
    const plan = planReconciliation(
      view({ tracked: [{ containerId: 'a', jobId: 'j' }], openJobIds: new Set(['j']), containers: [container('a', 'j')] }),
      orphanOnce,
      1,
      GRACE,
    );
    expect(plan.remove).toEqual([]);
  });
});
