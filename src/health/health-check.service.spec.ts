import { SchedulerRegistry } from '@nestjs/schedule';
import type { PinoLogger } from 'nestjs-pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BackendNewJob } from '../backend/backend.messages';
import type { AgentConfig } from '../config/agent-config';
import type { DockerEvents } from '../docker/docker-events.service';
import type { DockerGateway } from '../docker/docker.gateway';
import type { OwnedContainer } from '../docker/docker.types';
import type { JobsService } from '../jobs/jobs.service';
import { RunningJob } from '../jobs/running-job';
import type { FolderRemovalTurns } from '../jobs/folder-removal-turns';
import { RunningJobs } from '../jobs/running-jobs.registry';
import { StudentContainer } from '../student-containers/student-container';
import { StudentContainersRegistry } from '../student-containers/student-containers.registry';
import type { StudentContainersService } from '../student-containers/student-containers.service';
import type { WarmPool } from '../warm-pool/warm-pool.service';
import { HealthCheck } from './health-check.service';

const PERIOD_S = 90;
const GRACE_S = 60;

function jobWithContainer(registry: RunningJobs, jobId: string, containerId: string): RunningJob {
  const job = new RunningJob({ job_id: jobId, inputdata: {} } as unknown as BackendNewJob);
  registry.add(job);
  registry.attachContainer(job, containerId);
  return job;
}

function setUp() {
  let containers: OwnedContainer[] = [];
  const docker = {
    listOwnContainers: vi.fn(async () => containers),
    remove: vi.fn(async (_id: string) => undefined),
  };
  let reopened = () => undefined as void;
  const events = {
    isAlive: vi.fn(() => true),
    ensureOpen: vi.fn(async () => undefined),
    onReopened: vi.fn((listener: () => void) => void (reopened = listener)),
  };
  const jobs = { containerVanished: vi.fn((job: RunningJob) => void (job.closing = true)) };
  const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const scheduler = new SchedulerRegistry();
  const studentRegistry = new StudentContainersRegistry();
  const students = { containerVanished: vi.fn(async (_id: string) => undefined) };
  const config = { healthPeriodS: PERIOD_S, healthGraceS: GRACE_S } as AgentConfig;
  let pooled = ['pooled'];
  const warmPool = { jobSlotsInUse: vi.fn(), heldIds: vi.fn(() => new Set(pooled)), lost: vi.fn((id: string) => void (pooled = pooled.filter((p) => p !== id))) };
  const registry = new RunningJobs(warmPool as unknown as WarmPool, { gradingJobs: vi.fn() } as unknown as FolderRemovalTurns);
  const health = new HealthCheck(
    logger as unknown as PinoLogger,
    config,
    scheduler,
    registry,
    jobs as unknown as JobsService,
    docker as unknown as DockerGateway,
    events as unknown as DockerEvents,
    studentRegistry,
    students as unknown as StudentContainersService,
    warmPool as unknown as WarmPool,
  );
  const dockerHas = (list: OwnedContainer[]) => void (containers = list);
  const dockerCameBack = () => reopened();
  return { health, docker, events, registry, jobs, logger, scheduler, dockerHas, studentRegistry, students, warmPool, dockerCameBack };
}

describe('HealthCheck', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('closes as vanished a tracked job whose container stays missing for the grace, once', async () => {
    const t = setUp();
    const job = jobWithContainer(t.registry, 'j1', 'c1');
    await t.health.check();
    expect(t.jobs.containerVanished).not.toHaveBeenCalled();

    vi.setSystemTime(Date.now() + GRACE_S * 1000);
    await t.health.check();
    expect(t.jobs.containerVanished).toHaveBeenCalledExactlyOnceWith(job);

    vi.setSystemTime(Date.now() + GRACE_S * 1000);
    await t.health.check();
    expect(t.jobs.containerVanished).toHaveBeenCalledTimes(1);
  });

  it('a student container missing for the grace: its grading container is answered', async () => {
    const t = setUp();
    const job = jobWithContainer(t.registry, 'j1', 'c1');
    t.studentRegistry.add(new StudentContainer('s1', job, 'sock', { dockerRuntime: 'runc', envtype: 'docker', runAsRoot: false, sharedKernel: true, gpu: false }));
    t.dockerHas([{ id: 'c1', jobId: 'j1', role: 'grading', state: 'running' }]);
    await t.health.check();
    vi.setSystemTime(Date.now() + GRACE_S * 1000);
    await t.health.check();
    expect(t.students.containerVanished).toHaveBeenCalledExactlyOnceWith('s1');
    expect(t.jobs.containerVanished).not.toHaveBeenCalled();
  });

  it('leaves alone jobs whose death the agent already knows, and closing ones', async () => {
    const t = setUp();
    jobWithContainer(t.registry, 'dead', 'c1').died = true;
    jobWithContainer(t.registry, 'closing', 'c2').closing = true;
    await t.health.check();
    vi.setSystemTime(Date.now() + GRACE_S * 1000);
    await t.health.check();
    expect(t.jobs.containerVanished).not.toHaveBeenCalled();
    expect(t.docker.remove).not.toHaveBeenCalled();
  });

  it('removes an unowned container of this agent at its second sighting, not its first, and never a pooled warm one', async () => {
    const t = setUp();
    jobWithContainer(t.registry, 'j1', 'c1');
    t.dockerHas([
      { id: 'c1', jobId: 'j1', role: 'grading', state: 'running' },
      { id: 'stray', jobId: undefined, role: undefined, state: 'created' },
      { id: 'pooled', jobId: undefined, role: 'warm', state: 'running' },
    ]);
    await t.health.check();
    expect(t.docker.remove).not.toHaveBeenCalled();
    await t.health.check();
    expect(t.docker.remove).toHaveBeenCalledExactlyOnceWith('stray');
  });

  it('tells the warm pool which of its containers are no longer running (a death the events missed)', async () => {
    const t = setUp();
    t.dockerHas([{ id: 'pooled', jobId: undefined, role: 'warm', state: 'exited' }]);
    await t.health.check();
    expect(t.warmPool.lost).toHaveBeenCalledExactlyOnceWith('pooled');
    t.dockerHas([{ id: 'pooled', jobId: undefined, role: 'warm', state: 'running' }]);
    t.warmPool.lost.mockClear();
    await t.health.check();
    expect(t.warmPool.lost).not.toHaveBeenCalled();
  });

  it('after Docker comes back (event stream reopened), checks at once and again 5 s later: orphans go within seconds', async () => {
    const t = setUp();
    t.health.onApplicationBootstrap();
    t.dockerHas([{ id: 'stray', jobId: undefined, role: 'warm', state: 'created' }]);
    t.dockerCameBack();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.docker.listOwnContainers).toHaveBeenCalledTimes(1);
    expect(t.docker.remove).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(t.docker.listOwnContainers).toHaveBeenCalledTimes(2);
    expect(t.docker.remove).toHaveBeenCalledExactlyOnceWith('stray');
    t.health.onModuleDestroy();
  });

  it('logs a Docker error and tries again at the next check', async () => {
    const t = setUp();
    t.docker.listOwnContainers.mockRejectedValueOnce(new Error('docker is down'));
    t.docker.remove.mockRejectedValueOnce(new Error('no such daemon'));
    t.dockerHas([{ id: 'stray', jobId: 'old', role: 'grading', state: 'exited' }]);
    await expect(t.health.check()).resolves.toBeUndefined();
    expect(t.logger.warn).toHaveBeenCalledWith(expect.objectContaining({ err: expect.any(Error) }), expect.stringContaining('could not list'));

    await t.health.check();
    await t.health.check();
    expect(t.logger.warn).toHaveBeenCalledWith(expect.objectContaining({ containerId: 'stray' }), expect.stringContaining('could not remove'));
    await t.health.check();
    expect(t.docker.remove).toHaveBeenCalledTimes(2);
  });

  it('never rejects, even when closing a job throws', async () => {
    const t = setUp();
    jobWithContainer(t.registry, 'j1', 'c1');
    t.jobs.containerVanished.mockImplementationOnce(() => {
      throw new Error('bug');
    });
    await t.health.check();
    vi.setSystemTime(Date.now() + GRACE_S * 1000);
    await expect(t.health.check()).resolves.toBeUndefined();
    expect(t.logger.error).toHaveBeenCalledWith({ err: expect.any(Error) }, expect.stringContaining('health check failed'));
  });

  it('reopens the event stream when it is down, and survives a refusal', async () => {
    const t = setUp();
    t.events.isAlive.mockReturnValue(false);
    t.events.ensureOpen.mockRejectedValueOnce(new Error('refused'));
    await t.health.check();
    await t.health.check();
    expect(t.events.ensureOpen).toHaveBeenCalledTimes(2);
    expect(t.docker.listOwnContainers).toHaveBeenCalledTimes(2);
  });

  it('skips a check while the previous one is still running', async () => {
    const t = setUp();
    let answer: (list: OwnedContainer[]) => void = () => undefined;
    t.docker.listOwnContainers.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    const slow = t.health.check();
    await t.health.check();
    expect(t.docker.listOwnContainers).toHaveBeenCalledTimes(1);
    answer([]);
    await slow;
    await t.health.check();
    expect(t.docker.listOwnContainers).toHaveBeenCalledTimes(2);
  });

  it('runs every healthPeriodS once bootstrapped, and no more once destroyed', async () => {
    const t = setUp();
    t.health.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(PERIOD_S * 1000 * 2);
    expect(t.docker.listOwnContainers).toHaveBeenCalledTimes(2);
    t.health.onModuleDestroy();
    expect(t.scheduler.getIntervals()).toEqual([]);
    await vi.advanceTimersByTimeAsync(PERIOD_S * 1000 * 2);
    expect(t.docker.listOwnContainers).toHaveBeenCalledTimes(2);
  });
});
