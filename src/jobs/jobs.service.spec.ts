import { Duplex } from 'node:stream';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createJobsHarness, folder, type FakeDocker, type JobsHarness, newJob } from '../../test/unit/support/jobs-service-harness';
import type { AgentMessage } from '../backend/backend.messages';
import { TaskFilesError } from '../job-files/task-files.error';
import type { PortPool } from '../ports/port-pool';
import type { DiskExceeded } from '../timeouts/disk-part';
import { EXIT_AFTER_RESULT_MS, type JobsService } from './jobs.service';
import type { RunningJobs } from './running-jobs.registry';

describe('JobsService: exactly one AgentJobDone per job, whatever fails', () => {
  let docker: FakeDocker;
  let sent: AgentMessage[];
  let service: JobsService;
  let ports: PortPool;
  let folders: JobsHarness['folders'];
  let timeouts: JobsHarness['timeouts'];
  let disk: JobsHarness['disk'];
  let warmPool: JobsHarness['warmPool'];
  let pool: JobsHarness['pool'];
  let harness: JobsHarness;
  let jobs: RunningJobs;

  const done = (jobId: string) => sent.filter((m) => m['@type'] === 'AgentJobDone' && m.job_id === jobId);
  const settle = () => new Promise((r) => setTimeout(r, 20));

  beforeEach(() => {
    harness = createJobsHarness();
    ({ docker, sent, service, ports, folders, timeouts, disk, warmPool, jobs, pool } = harness);
  });

  it('a container that returns a result: graded, container removed, folder removed, watch ended', async () => {
    service.start(newJob('j1'));
    await settle();
    expect(timeouts.watch).toHaveBeenCalledWith('c1', { cpuSeconds: 30, wallSeconds: 90, memoryMiB: 200 }, expect.any(Function), { startsLater: true });
    // its CPU is read once Docker started it, not while it starts
    expect(timeouts.started).toHaveBeenCalledWith('c1');
    expect(timeouts.started.mock.invocationCallOrder[0]).toBeGreaterThan(docker.start.mock.invocationCallOrder[0]);
    const { encodeFrame } = await import('../container-link/frame-codec');
    docker.finishWith('c1', encodeFrame({ type: 'result', result: { result: 'success', grade: 75 } }));
    await settle();
    expect(done('j1')).toMatchObject([{ result: ['success', ''], grade: 75 }]);
    expect(docker.removed).toEqual(['c1']);
    expect(folders.removeAfterJob).toHaveBeenCalledOnce();
    expect(timeouts.unwatch).toHaveBeenCalledWith('c1');
  });

  it.each(['create', 'attach', 'start'] as const)('Docker refusing %s → one crash, nothing left', async (step) => {
    docker.failAt = step;
    service.start(newJob('j1'));
    await settle();
    expect(done('j1')).toMatchObject([{ result: ['crash', expect.stringContaining(`${step} refused`)] }]);
    expect(folders.removeAfterJob).toHaveBeenCalledOnce();
    expect(docker.removed).toEqual(step === 'create' ? [] : ['c1']);
    expect(ports.inUse()).toBe(0);
  });

  it('a text for the backend goes through hideHostPaths; a task files failure is told as it was written', async () => {
    folders.hideHostPaths.mockImplementation((text: string) => text.replace('/w/j', '<work folder>'));
    docker.createContainer.mockImplementationOnce(async () => {
      throw new Error('invalid mount config: /w/j/task is not a folder');
    });
    service.start(newJob('j1'));
    await settle();
    expect(done('j1')).toMatchObject([{ result: ['crash', 'The agent could not run the job: invalid mount config: <work folder>/task is not a folder'] }]);
    folders.prepare.mockRejectedValueOnce(new TaskFilesError('The task\'s files could not be prepared for grading: "p" is a named pipe.', true));
    service.start(newJob('j2'));
    await settle();
    expect(done('j2')).toMatchObject([{ result: ['crash', 'The task\'s files could not be prepared for grading: "p" is a named pipe.'] }]);
  });

  it('kill while the job folder is being prepared → killed, no container ever created', async () => {
    let release!: () => void;
    folders.prepare.mockImplementation(() => new Promise((r) => (release = () => r(folder))));
    service.start(newJob('j1'));
    await settle();
    service.kill({ '@type': 'BackendKillJob', job_id: 'j1', state: 'other' });
    release();
    await settle();
    expect(done('j1')).toMatchObject([{ result: ['killed', ''], state: 'st' }]);
    expect(docker.createContainer).not.toHaveBeenCalled();
    expect(folders.removeAfterJob).toHaveBeenCalledOnce();
  });

  it('limit crossed → timeout; a kill and an OOM after it change nothing', async () => {
    service.start(newJob('j1'));
    await settle();
    const onExceeded = timeouts.watch.mock.calls[0][2] as (reason: string) => void;
    onExceeded('cpu');
    service.kill({ '@type': 'BackendKillJob', job_id: 'j1', state: 'x' });
    docker.oom('c1');
    await settle();
    expect(done('j1')).toMatchObject([{ result: ['timeout', ''], state: 'st' }]);
  });

  it('disk limit crossed → overflow naming the limit; folder and container were measured, the watch ends', async () => {
    service.start(newJob('j1', { environment_parameters: { limits: { disk: 50 } } }));
    await settle();
    expect(disk.watchJob).toHaveBeenCalledWith('j1', 50 * 1024 * 1024, expect.any(Function));
    expect(disk.addPart.mock.calls.map(([, part]) => part)).toEqual([
      { kind: 'folder', path: folder.root },
      { kind: 'container', containerId: 'c1' },
    ]);
    const onExceeded = disk.watchJob.mock.calls[0][2] as (e: DiskExceeded) => void;
    onExceeded({ kind: 'bytes', usage: { bytes: 60 << 20, entries: 3, complete: false }, bounds: { maxBytes: 50 << 20, maxEntries: 100 } });
    await settle();
    expect(done('j1')).toMatchObject([{ result: ['overflow', expect.stringContaining('disk limit of 50 MiB')] }]);
    expect(disk.unwatchJob).toHaveBeenCalledWith('j1');
  });

  it('OOM event → overflow', async () => {
    service.start(newJob('j1'));
    await settle();
    docker.oom('c1');
    await settle();
    expect(done('j1')).toMatchObject([{ result: ['overflow', ''] }]);
  });

  it('killed by the kernel for memory (cgroup v2, no oom event) → overflow', async () => {
    service.start(newJob('j1'));
    await settle();
    docker.oomKilled = true;
    docker.die('c1', 137);
    await settle();
    expect(done('j1')).toMatchObject([{ result: ['overflow', ''] }]);
  });

  it('a second job with a running id is refused alone; the first still completes once', async () => {
    service.start(newJob('j1'));
    await settle();
    service.start(newJob('j1'));
    await settle();
    expect(done('j1')).toMatchObject([{ result: ['crash', expect.stringContaining('same id')] }]);
    docker.die('c1');
    await settle();
    expect(done('j1')).toHaveLength(2);
    expect(done('j1')[1]).toMatchObject({ result: ['crash', expect.stringContaining('without returning a result')] });
  });

  it('no free port → crash with the pool\'s text, nothing created', async () => {
    ports.acquire(2);
    service.start(newJob('j1', { debug: 'ssh' }));
    await settle();
    expect(done('j1')).toHaveLength(1);
    expect(docker.createContainer).not.toHaveBeenCalled();
  });

  it('a container that vanished is closed as crash once, even if its death is reported later', async () => {
    service.start(newJob('j1'));
    await settle();
    const job = (service as unknown as { jobs: RunningJobs }).jobs.get('j1')!;
    service.containerVanished(job);
    docker.die('c1');
    await settle();
    expect(done('j1')).toMatchObject([{ result: ['crash', expect.stringContaining('disappeared')] }]);
  });

  it('a kill while attach is pending: killed once, container never started, no link or watch left', async () => {
    let attached!: () => void;
    const stream = new Duplex({ read() {}, write: (_c, _e, callback) => callback() });
    docker.attach.mockImplementation(() => new Promise((r) => (attached = () => r(stream))));
    service.start(newJob('j1'));
    await settle();
    service.kill({ '@type': 'BackendKillJob', job_id: 'j1', state: 'x' });
    await settle();
    expect(done('j1')).toMatchObject([{ result: ['killed', ''] }]);
    attached();
    await settle();
    expect(stream.destroyed).toBe(true);
    expect(timeouts.watch).not.toHaveBeenCalled();
    expect(docker.start).not.toHaveBeenCalled();
    expect(done('j1')).toHaveLength(1);
  });

  it('a kill while the container is being created: it is never started, the job is killed once', async () => {
    let created!: () => void;
    docker.createContainer.mockImplementation(() => new Promise((r) => (created = () => r('c9'))));
    service.start(newJob('j1'));
    await settle();
    service.kill({ '@type': 'BackendKillJob', job_id: 'j1', state: 'x' });
    created();
    await settle();
    expect(done('j1')).toMatchObject([{ result: ['killed', ''] }]);
    expect(docker.attach).not.toHaveBeenCalled();
    expect(docker.removed).toEqual(['c9']);
  });

  it.each([
    ['kill misses its deadline', () => docker.kill.mockRejectedValue(new Error('Docker did not answer kill within 30000 ms'))],
    ['inspect fails', () => docker.inspect.mockRejectedValue(new Error('inspect refused'))],
  ])('%s in the kill path: the job is still closed once', async (_, fail) => {
    service.start(newJob('j1'));
    await settle();
    fail();
    service.kill({ '@type': 'BackendKillJob', job_id: 'j1', state: 'x' });
    await settle();
    expect(done('j1')).toMatchObject([{ result: ['killed', ''] }]);
    expect(docker.removed).toEqual(['c1']);
  });

  it('a job received while Docker is unreachable waits for it; a kill meanwhile ends it without a container', async () => {
    const { dockerEvents } = harness;
    dockerEvents.isAlive.mockReturnValue(false);
    let back!: (open: boolean) => void;
    const dockerBack = new Promise<boolean>((r) => (back = r));
    dockerEvents.waitOpen.mockImplementation(() => dockerBack);
    service.start(newJob('j1'));
    service.start(newJob('j2'));
    await settle();
    expect(dockerEvents.waitOpen).toHaveBeenCalledWith(30_000);
    expect(docker.createContainer).not.toHaveBeenCalled();
    service.kill({ job_id: 'j2', '@type': 'BackendKillJob' } as never);
    back(true);
    await settle();
    expect(done('j2')).toMatchObject([{ result: ['killed', expect.any(String)] }]);
    expect(docker.createContainer).toHaveBeenCalledOnce();
    docker.die('c1');
    await settle();
    expect(done('j1')).toHaveLength(1);
  });

  it('Docker unreachable at launch: crash saying so, without the engine\'s socket path', async () => {
    const unreachable = Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT', syscall: 'connect', address: '/var/run/docker.sock' });
    docker.createContainer.mockRejectedValueOnce(unreachable);
    service.start(newJob('j1'));
    await settle();
    expect(done('j1')).toMatchObject([{ result: ['crash', 'The agent could not run the job: Docker could not be reached (ENOENT).'] }]);
  });

  it('removal missing its deadline: the job is still answered once', async () => {
    docker.remove.mockRejectedValue(new Error('Docker did not answer remove within 30000 ms'));
    service.start(newJob('j1'));
    await settle();
    docker.die('c1', 1);
    await settle();
    expect(done('j1')).toMatchObject([{ result: ['crash', expect.stringContaining('without returning a result')] }]);
  });

  it('a large result goes through the worker pool, its AgentJobDone encoded there', async () => {
    service.start(newJob('j1'));
    await settle();
    const { encodeFrame } = await import('../container-link/frame-codec');
    const text = 'x'.repeat(100_000);
    docker.finishWith('c1', encodeFrame({ type: 'result', result: { result: 'failed', text, grade: 12.345 } }));
    await settle();
    expect(done('j1')).toMatchObject([{ job_id: 'j1', result: ['failed', text], grade: 12.35 }]);
  });

  it.each([
    ['entries', { custom: Object.fromEntries(Array.from({ length: 100_001 }, (_, i) => [`k${i}`, 0])) }, 'more than 100000 map and list entries'],
    ['depth', { custom: JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`) }, 'nested more than 32 levels deep'],
  ])('a result over the %s bound → crash saying so', async (_, result, text) => {
    service.start(newJob('j1'));
    await settle();
    const { encodeFrame } = await import('../container-link/frame-codec');
    docker.finishWith('c1', encodeFrame({ type: 'result', result: { result: 'success', ...result } }));
    await settle();
    expect(done('j1')).toMatchObject([{ result: ['crash', expect.stringContaining(text)] }]);
  });

  it('after stopTakingJobs, a new job is answered crash at once with its state', async () => {
    service.stopTakingJobs();
    service.start(newJob('j1'));
    await settle();
    expect(sent.map((m) => m['@type'])).toEqual(['AgentJobStarted', 'AgentJobDone']);
    expect(done('j1')).toMatchObject([{ result: ['crash', expect.stringContaining('shutting down')], state: 'st' }]);
  });

  describe('a warm container from the pool', () => {
    const warmFolder = { ...folder, root: '/w/warm' };

    it('is used as it is: no create, no start; CPU used while idle not charged; same cleanup', async () => {
      const stream = await docker.attach('w1');
      docker.running.add('w1');
      warmPool.take.mockResolvedValueOnce({ containerId: 'w1', folder: warmFolder, stream, cpuUsedSeconds: 0.3 });
      docker.attach.mockClear();
      service.start(newJob('j1', { environment_parameters: { limits: { memory: 150 } } }));
      await settle();
      expect(warmPool.take).toHaveBeenCalledWith(expect.objectContaining({ jobId: 'j1', network: false, memoryMiB: 150, location: { courseId: 'c', taskId: 't' } }));
      expect(docker.createContainer).not.toHaveBeenCalled();
      expect(docker.attach).not.toHaveBeenCalled();
      expect(docker.start).not.toHaveBeenCalled();
      expect(folders.prepare).not.toHaveBeenCalled();
      expect(timeouts.watch).toHaveBeenCalledWith('w1', expect.objectContaining({ memoryMiB: 150 }), expect.any(Function), { cpuUsedBeforeSeconds: 0.3 });
      expect(timeouts.started).not.toHaveBeenCalled();
      docker.die('w1');
      await settle();
      expect(done('j1')).toMatchObject([{ result: ['crash', expect.any(String)] }]);
      expect(docker.removed).toEqual(['w1']);
      expect(folders.removeAfterJob).toHaveBeenCalledWith(warmFolder);
    });

    it('a task whose files the pool could not prepare: crash with the task\'s text at once, no cold retry', async () => {
      warmPool.take.mockRejectedValueOnce(new TaskFilesError('The task folder "t" does not exist.', true));
      service.start(newJob('j1'));
      await settle();
      expect(done('j1')).toMatchObject([{ result: ['crash', 'The task folder "t" does not exist.'] }]);
      expect(folders.prepare).not.toHaveBeenCalled();
      expect(docker.createContainer).not.toHaveBeenCalled();
    });

    it('when the pool has none (or handing one over failed), the job starts cold', async () => {
      service.start(newJob('j1'));
      await settle();
      expect(warmPool.take).toHaveBeenCalledOnce();
      expect(folders.prepare).toHaveBeenCalledOnce();
      expect(docker.start).toHaveBeenCalledWith('c1');
    });
  });

  describe('early AgentJobDone', () => {
    const resultFrame = async (result: unknown) => (await import('../container-link/frame-codec')).encodeFrame({ type: 'result', result });

    it('a valid result is reported before the container ends; cleanup follows its exit, with the job still counted', async () => {
      let finishRemoval!: () => void;
      docker.remove.mockImplementation(() => new Promise<void>((r) => (finishRemoval = r)));
      service.start(newJob('j1'));
      await settle();
      docker.say('c1', await resultFrame({ result: 'success', grade: 75 }));
      await settle();
      expect(done('j1')).toMatchObject([{ result: ['success', ''], grade: 75 }]);
      expect(timeouts.unwatch).toHaveBeenCalledWith('c1');
      expect(jobs.has('j1')).toBe(true);
      docker.die('c1');
      await settle();
      expect(docker.kill).not.toHaveBeenCalled();
      finishRemoval();
      await settle();
      expect(jobs.has('j1')).toBe(false);
      expect(done('j1')).toHaveLength(1);
    });

    it('frames after the reported result are not read (a container cannot keep a worker thread busy)', async () => {
      service.start(newJob('j1'));
      await settle();
      const large = (grade: number) => resultFrame({ result: 'success', grade, custom: { bulk: 'x'.repeat(100_000) } });
      docker.say('c1', Buffer.concat([await large(75), await large(10), await large(20)]));
      await settle();
      expect(done('j1')).toMatchObject([{ result: ['success', ''], grade: 75 }]);
      expect(pool.run).toHaveBeenCalledTimes(1);
    });

    it('a container still running a while after its result is killed, and then cleaned up', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout'] });
      try {
        service.start(newJob('j1'));
        await vi.advanceTimersByTimeAsync(20);
        docker.say('c1', await resultFrame({ result: 'success' }));
        await vi.advanceTimersByTimeAsync(EXIT_AFTER_RESULT_MS - 100);
        expect(done('j1')).toHaveLength(1);
        expect(docker.kill).not.toHaveBeenCalled();
        await vi.advanceTimersByTimeAsync(200);
        expect(docker.kill).toHaveBeenCalledWith('c1');
        await vi.advanceTimersByTimeAsync(20);
        expect(docker.removed).toEqual(['c1']);
        expect(jobs.has('j1')).toBe(false);
      } finally {
        vi.useRealTimers();
      }
    });

    it('a limit found crossed at the last look before the result wins', async () => {
      service.start(newJob('j1'));
      await settle();
      const onExceeded = timeouts.watch.mock.calls[0][2] as (reason: string) => void;
      timeouts.checkNow.mockImplementation(async () => onExceeded('cpu'));
      docker.say('c1', await resultFrame({ result: 'success' }));
      await settle();
      expect(done('j1')).toMatchObject([{ result: ['timeout', ''] }]);
    });

    it('an invalid result map is not reported early: the job closes at its death as before', async () => {
      service.start(newJob('j1'));
      await settle();
      docker.say('c1', await resultFrame({ result: 'nonsense-kind' }));
      await settle();
      expect(done('j1')).toEqual([]);
      docker.die('c1');
      await settle();
      expect(done('j1')).toMatchObject([{ result: ['crash', expect.stringContaining('unreadable')] }]);
    });
  });
});
