import { afterEach, describe, expect, it, vi } from 'vitest';
import { JobTimeline } from './job-timeline';

describe('JobTimeline', () => {
  afterEach(() => vi.restoreAllMocks());

  it('measures each phase from the end of the one before, and keeps the first end of a phase', () => {
    const now = vi.spyOn(performance, 'now').mockReturnValue(1_000);
    const timeline = new JobTimeline();
    now.mockReturnValue(1_250);
    timeline.end('prepare');
    now.mockReturnValue(1_400);
    timeline.end('create');
    now.mockReturnValue(2_000);
    timeline.end('create');
    now.mockReturnValue(3_400);
    expect(timeline.end('run')).toEqual({ prepare: 0.25, create: 0.15, run: 2 });
  });
});
