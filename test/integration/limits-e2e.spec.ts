import { afterEach, describe, expect, it } from 'vitest';
import { agentHarness } from '../support/agent-harness';
import { untilOnlyWarmPoolLeft } from '../support/docker-state';
import { newJob, SAMPLE_INPUT } from '../support/job-requests';
import { expectSingleDone, runJob } from '../support/run-job';

/** Limits watched by the agent (behaviour.md step 7), seen from the backend: one AgentJobDone, nothing left behind. */
describe('job limits end to end (real Docker, real ZeroMQ, built agent)', () => {
  const PIDS_LIMIT = 64;
  const { backend, agent } = agentHarness({ env: { AGENT_PIDS_LIMIT: String(PIDS_LIMIT) } });

  afterEach(async () => {
    await untilOnlyWarmPoolLeft(agent(), 2);
  });

  it('CPU time above limits.time → timeout, empty text, input @state', async () => {
    const job = newJob('testcourse', 'cpu-burn', { limits: { time: 2 } });
    const done = await runJob(backend(), job);
    expect(done.result).toEqual(['timeout', '']);
    expect(done.state).toBe(SAMPLE_INPUT['@state']);
    expect(done.archive).toBeNull();
    await expectSingleDone(backend(), job.job_id);
  });

  it('wall time above limits.hard_time (no CPU used) → timeout', async () => {
    const job = newJob('testcourse', 'sleep', { limits: { time: 30, hard_time: 3 } });
    const done = await runJob(backend(), job);
    expect(done.result).toEqual(['timeout', '']);
    expect(done.state).toBe(SAMPLE_INPUT['@state']);
    await expectSingleDone(backend(), job.job_id);
  });

  it('memory above limits.memory → overflow', async () => {
    const job = newJob('testcourse', 'memory-hog', { limits: { memory: 50 } });
    const done = await runJob(backend(), job);
    expect(done.result).toEqual(['overflow', '']);
    expect(done.state).toBe(SAMPLE_INPUT['@state']);
    await expectSingleDone(backend(), job.job_id);
  });

  it('a fork bomb hits the process limit: crash with a clear text, and the agent stays responsive', async () => {
    const hardTimeS = 15;
    const job = newJob('testcourse', 'fork-bomb', { limits: { time: 5, hard_time: hardTimeS, memory: 100 } });
    const since = backend().mark();
    await backend().send(job);
    await backend().waitFor('AgentJobStarted', { since, where: (m) => m.job_id === job.job_id });

    const pinged = backend().mark();
    await backend().ping();
    await backend().waitFor('Pong', { since: pinged, timeoutMs: 5_000 });

    // The wall-time limit is the bound; the rest is time to kill and remove a container with ~100 processes.
    const done = await backend().waitFor('AgentJobDone', { since, timeoutMs: (hardTimeS + 30) * 1000, where: (m) => m.job_id === job.job_id });
    expect(done.result).toEqual(['crash', `The job started more processes than the limit of ${PIDS_LIMIT} (a fork bomb?) and was stopped.`]);
    expect(done.state).toBe(SAMPLE_INPUT['@state']);
    await expectSingleDone(backend(), job.job_id);

    const next = await runJob(backend(), newJob('sample', 'hello'));
    expect(next.result[0]).toBe('success');
  });
});
