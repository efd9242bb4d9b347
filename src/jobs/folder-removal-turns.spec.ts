import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock';
import type { AgentConfig } from '../config/agent-config';
import type { JobFolders } from '../job-files/job-folders';
import { FolderRemovalTurns, REMOVAL_SLICE_PERIOD_MS } from './folder-removal-turns';

/** Records what the turns asked of the removals. */
class RecordingFolders {
  readonly calls: string[] = [];

  holdRemovals(): void {
    this.calls.push('hold');
  }

  releaseRemovals(): void {
    this.calls.push('release');
  }
}

function turns(holdMaxS = 30, busyPercent = 0) {
  const folders = new RecordingFolders();
  const clock = new FakeClock();
  const config = { cleanupHoldMaxS: holdMaxS, cleanupBusyPercent: busyPercent } as AgentConfig;
  return { folders, clock, turns: new FolderRemovalTurns(folders as unknown as JobFolders, clock, config) };
}

describe('FolderRemovalTurns', () => {
  it('holds the removals while a job grades and releases them when none does', () => {
    const { folders, turns: t } = turns();
    t.gradingJobs(1);
    t.gradingJobs(2);
    t.gradingJobs(1);
    expect(folders.calls).toEqual(['hold']);
    t.gradingJobs(0);
    expect(folders.calls).toEqual(['hold', 'release']);
    t.gradingJobs(0);
    expect(folders.calls).toEqual(['hold', 'release']);
  });

  it('leaves no slice timer behind at shutdown', () => {
    const { clock, turns: t } = turns(30, 10);
    t.gradingJobs(1);
    expect(clock.pending()).toHaveLength(1);
    t.onModuleDestroy();
    expect(clock.pending()).toEqual([]);
  });

  it('with the setting at 0, never holds', () => {
    const { folders, clock, turns: t } = turns(0);
    t.gradingJobs(3);
    t.gradingJobs(0);
    expect(folders.calls).toEqual([]);
    expect(clock.pending()).toEqual([]);
  });

  it('while jobs grade, lets the removals run in slices of the set share of each period', async () => {
    const { folders, clock, turns: t } = turns(30, 10);
    t.gradingJobs(1);
    await clock.advance(REMOVAL_SLICE_PERIOD_MS * 0.9 - 1);
    expect(folders.calls).toEqual(['hold']);
    await clock.advance(1);
    expect(folders.calls).toEqual(['hold', 'release']);
    await clock.advance(REMOVAL_SLICE_PERIOD_MS * 0.1);
    expect(folders.calls).toEqual(['hold', 'release', 'hold']);
    await clock.advance(REMOVAL_SLICE_PERIOD_MS * 2);
    expect(folders.calls).toEqual(['hold', 'release', 'hold', 'release', 'hold', 'release', 'hold']);
    t.gradingJobs(0);
    expect(folders.calls.at(-1)).toBe('release');
    expect(clock.pending()).toEqual([]);
  });

  it('during a slice, the end of the last job releases for good: no hold comes after it', async () => {
    const { folders, clock, turns: t } = turns(30, 10);
    t.gradingJobs(1);
    await clock.advance(REMOVAL_SLICE_PERIOD_MS * 0.95);
    t.gradingJobs(0);
    expect(folders.calls).toEqual(['hold', 'release', 'release']);
    await clock.advance(REMOVAL_SLICE_PERIOD_MS * 5);
    expect(folders.calls).toEqual(['hold', 'release', 'release']);
  });

  it('at 100 %, never holds', () => {
    const { folders, clock, turns: t } = turns(30, 100);
    t.gradingJobs(2);
    expect(folders.calls).toEqual([]);
    expect(clock.pending()).toEqual([]);
  });
});
