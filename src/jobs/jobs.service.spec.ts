import { beforeEach, describe, expect, it } from 'vitest';
import { createJobsHarness, folder, type FakeDocker, type JobsHarness, newJob } from '../../test/unit/support/jobs-service-harness';
import type { AgentMessage } from '../backend/backend.messages';
import type { PortPool } from '../ports/port-pool';
import type { RunningJobs } from './running-jobs.registry';
import type { JobsService } from './jobs.service';

describe('JobsService: exactly one AgentJobDone per job, whatever fails', () => {
  let docker: FakeDocker;
  let sent: AgentMessage[];
  let service: JobsService;
  let ports: PortPool;
  let folders: JobsHarness['folders'];
  let timeouts: JobsHarness['timeouts'];

  const done = (jobId: string) => sent.filter((m) => m['@type'] === 'AgentJobDone' && m.job_id === jobId);
  const settle = () => new Promise((r) => setTimeout(r, 20));

  beforeEach(() => {
    ({ docker, sent, service, ports, folders, timeouts } = createJobsHarness());
  });

  it('a container that returns a result: graded, container removed, folder removed, watch ended', async () => {
    service.start(newJob('j1'));
    await settle();
    expect(timeouts.watch).toHaveBeenCalledWith('c1', { cpuSeconds: 30, wallSeconds: 90, memoryMiB: 200 }, expect.any(Function));
    const { encodeFrame } = await import('../container-link/frame-codec');
    docker.finishWith('c1', encodeFrame({ type: 'result', result: { result: 'success', grade: 75 } }));
    await settle();
    expect(done('j1')).toMatchObject([{ result: ['success', ''], grade: { value: 75 } }]);
    expect(docker.removed).toEqual(['c1']);
    expect(folders.remove).toHaveBeenCalledOnce();
    expect(timeouts.unwatch).toHaveBeenCalledWith('c1');
  });

  it.each(['create', 'attach', 'start'] as const)('Docker refusing %s → one crash, nothing left', async (step) => {
    docker.failAt = step;
    service.start(newJob('j1'));
    await settle();
    expect(done('j1')).toMatchObject([{ result: ['crash', expect.stringContaining(`${step} refused`)] }]);
    expect(folders.remove).toHaveBeenCalledOnce();
    expect(docker.removed).toEqual(step === 'create' ? [] : ['c1']);
    expect(ports.inUse()).toBe(0);
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
    expect(folders.remove).toHaveBeenCalledOnce();
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

  it('after stopTakingJobs, a new job is answered crash at once with its state', async () => {
    service.stopTakingJobs();
    service.start(newJob('j1'));
    await settle();
    expect(sent.map((m) => m['@type'])).toEqual(['AgentJobStarted', 'AgentJobDone']);
    expect(done('j1')).toMatchObject([{ result: ['crash', expect.stringContaining('shutting down')], state: 'st' }]);
  });
});
