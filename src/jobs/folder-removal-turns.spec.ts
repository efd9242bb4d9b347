import { describe, expect, it } from 'vitest';
import { FakeClock, flush } from '../../test/support/fake-clock';
import type { AgentConfig } from '../config/agent-config';
import type { JobFolders } from '../job-files/job-folders';
import { FolderRemovalTurns } from './folder-removal-turns';

/** Records what the turns asked of the removals; `whenRemovalsDone` resolves when the test says. */
class RecordingFolders {
  readonly calls: string[] = [];
  private done?: () => void;

  holdRemovals(): void {
    this.calls.push('hold');
  }

  releaseRemovals(): void {
    this.calls.push('release');
  }

  whenCurrentRemovalsDone(): Promise<void> {
    return new Promise((resolve) => (this.done = resolve));
  }

  finishRemovals(): void {
    this.done?.();
  }
}

function turns(holdMaxS = 30) {
  const folders = new RecordingFolders();
  const clock = new FakeClock();
  const config = { cleanupHoldMaxS: holdMaxS } as AgentConfig;
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

  it('never holds longer than the setting: then the removals of that moment run to their end, and only then hold again', async () => {
    const { folders, clock, turns: t } = turns(30);
    t.gradingJobs(1);
    await clock.advance(29_999);
    expect(folders.calls).toEqual(['hold']);
    await clock.advance(1);
    expect(folders.calls).toEqual(['hold', 'release']);
    t.gradingJobs(2); // jobs keep coming while the removals drain: they are not held again
    expect(folders.calls).toEqual(['hold', 'release']);
    folders.finishRemovals();
    await flush();
    expect(folders.calls).toEqual(['hold', 'release', 'hold']);
    t.gradingJobs(0);
    expect(folders.calls).toEqual(['hold', 'release', 'hold', 'release']);
    expect(clock.pending()).toEqual([]);
  });

  it('after draining with no job left, holds again at the next job', async () => {
    const { folders, clock, turns: t } = turns(10);
    t.gradingJobs(1);
    await clock.advance(10_000);
    t.gradingJobs(0);
    folders.finishRemovals();
    await flush();
    expect(folders.calls).toEqual(['hold', 'release']);
    t.gradingJobs(1);
    expect(folders.calls).toEqual(['hold', 'release', 'hold']);
  });

  it('leaves no timer behind at shutdown', () => {
    const { clock, turns: t } = turns(30);
    t.gradingJobs(1);
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
});
