import { describe, expect, it, vi } from 'vitest';
import type { WarmPool } from '../warm-pool/warm-pool.service';
import type { FolderRemovalTurns } from './folder-removal-turns';
import type { RunningJob } from './running-job';
import { RunningJobs } from './running-jobs.registry';

describe('RunningJobs', () => {
  it('tells the warm pool and the folder removals how many jobs it holds, at every change', () => {
    const warmPool = { jobSlotsInUse: vi.fn() };
    const removals = { gradingJobs: vi.fn() };
    const registry = new RunningJobs(warmPool as unknown as WarmPool, removals as unknown as FolderRemovalTurns);
    const a = { id: 'a' } as RunningJob;
    const b = { id: 'b', containerId: 'c-b' } as RunningJob;
    registry.add(a);
    registry.add(b);
    registry.remove(a);
    registry.remove(b);
    expect(warmPool.jobSlotsInUse.mock.calls.map(([n]) => n)).toEqual([1, 2, 1, 0]);
    expect(removals.gradingJobs.mock.calls.map(([n]) => n)).toEqual([1, 2, 1, 0]);
  });
});
