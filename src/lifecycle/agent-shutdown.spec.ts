import type { PinoLogger } from 'nestjs-pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BackendNewJob } from '../backend/backend.messages';
import type { AgentConfig } from '../config/agent-config';
import type { JobsService } from '../jobs/jobs.service';
import { RunningJob, type StopReason } from '../jobs/running-job';
import type { FolderRemovalTurns } from '../jobs/folder-removal-turns';
import { RunningJobs } from '../jobs/running-jobs.registry';
import type { WarmPool } from '../warm-pool/warm-pool.service';
import { AgentShutdown, SHUTDOWN_STOP } from './agent-shutdown';
import type { OwnContainers } from './own-containers';

const GRACE_S = 30;

function setUp(closeWhenStopped = true) {
  const registry = new RunningJobs({ jobSlotsInUse: () => undefined } as unknown as WarmPool, { gradingJobs: () => undefined } as unknown as FolderRemovalTurns);
  const order: string[] = [];
  const jobs = {
    stopTakingJobs: vi.fn(() => void order.push('stop taking jobs')),
    stop: vi.fn((job: RunningJob, reason: StopReason) => {
      job.stop(reason);
      order.push(`stop ${job.id}`);
      if (closeWhenStopped) setTimeout(() => registry.remove(job), 500);
    }),
  };
  const containers = { removeAll: vi.fn(async () => void order.push('remove containers')) };
  const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const shutdown = new AgentShutdown(
    logger as unknown as PinoLogger,
    { shutdownGraceS: GRACE_S } as AgentConfig,
    jobs as unknown as JobsService,
    registry,
    containers as unknown as OwnContainers,
  );
  const addJob = (id: string) => {
    const job = new RunningJob({ job_id: id, inputdata: {} } as unknown as BackendNewJob);
    registry.add(job);
    return job;
  };
  return { shutdown, registry, jobs, containers, logger, order, addJob };
}

describe('AgentShutdown', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('with no job: stops taking jobs and removes the containers at once', async () => {
    const t = setUp();
    await t.shutdown.onModuleDestroy();
    expect(t.order).toEqual(['stop taking jobs', 'remove containers']);
  });

  it('lets jobs that finish within the grace close on their own', async () => {
    const t = setUp();
    const job = t.addJob('j1');
    setTimeout(() => t.registry.remove(job), (GRACE_S - 1) * 1000);
    const done = t.shutdown.onModuleDestroy();
    await vi.advanceTimersByTimeAsync((GRACE_S - 1) * 1000 + 200);
    await done;
    expect(t.jobs.stop).not.toHaveBeenCalled();
    expect(t.order).toEqual(['stop taking jobs', 'remove containers']);
  });

  it('stops the jobs still running when the grace ends (as a crash), waits for them to close, then removes the containers', async () => {
    const t = setUp();
    t.addJob('slow');
    t.addJob('closing').closing = true;
    let finished = false;
    const done = t.shutdown.onModuleDestroy().then(() => (finished = true));
    await vi.advanceTimersByTimeAsync(GRACE_S * 1000 - 200);
    expect(t.jobs.stop).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(400);
    expect(t.jobs.stop).toHaveBeenCalledExactlyOnceWith(t.registry.get('slow'), SHUTDOWN_STOP);
    t.registry.remove(t.registry.get('closing')!);
    await vi.advanceTimersByTimeAsync(1000);
    await done;
    expect(finished).toBe(true);
    expect(t.order).toEqual(['stop taking jobs', 'stop slow', 'remove containers']);
  });

  it('removes the containers anyway when stopped jobs do not close, and says so', async () => {
    const t = setUp(false);
    t.addJob('stuck');
    const done = t.shutdown.onModuleDestroy();
    await vi.advanceTimersByTimeAsync(GRACE_S * 1000 + 60_000);
    await done;
    expect(t.order).toEqual(['stop taking jobs', 'stop stuck', 'remove containers']);
    expect(t.logger.error).toHaveBeenCalledWith({ jobIds: ['stuck'] }, expect.stringContaining('did not close'));
  });
});
