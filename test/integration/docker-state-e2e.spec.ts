import { describe, expect, it } from 'vitest';
import { LABEL_AGENT_ID, LABEL_JOB_ID } from '../../src/docker/docker.labels';
import { agentHarness } from '../support/agent-harness';
import { containersOf, docker } from '../support/docker-state';
import type { FakeBackend } from '../support/fake-backend';
import { ensureTestBaseImage, TEST_BASE_IMAGE } from '../support/grading-test-images';
import { newJob, SAMPLE_INPUT } from '../support/job-requests';
import { expectSingleDone } from '../support/run-job';
import { until } from '../support/wait';

/** Starts a `sleep` job and resolves with its grading container's id once Docker runs it. */
async function startSleepJob(backend: FakeBackend, agentId: string): Promise<{ jobId: string; containerId: string; since: number }> {
  const job = newJob('testcourse', 'sleep', { limits: { time: 60 } });
  const since = backend.mark();
  await backend.send(job);
  const containerId = await until(
    'grading container running',
    () => docker('ps', '-q', '--no-trunc', '--filter', `label=${LABEL_AGENT_ID}=${agentId}`, '--filter', `label=${LABEL_JOB_ID}=${job.job_id}`) || undefined,
    20_000,
  );
  return { jobId: job.job_id, containerId, since };
}

/** behaviour.md "Docker state", with a health check every second and a one-second grace. */
describe('Docker state end to end (real Docker, real ZeroMQ, built agent)', () => {
  const { backend, agent } = agentHarness({
    prepare: ensureTestBaseImage,
    env: { AGENT_HEALTH_PERIOD_S: '1', AGENT_HEALTH_GRACE_S: '1', AGENT_WARM_POOL: '0' },
  });

  // `docker rm -f` kills first, so Docker's die event usually closes the job before the health check sees the container
  // missing; whichever comes first, the job must close once, as a crash. (A death the event stream never reports is
  // the dockerd restart in restart-e2e.spec.ts.)
  it('a grading container removed behind the agent\'s back → the job closes as a crash, once', async () => {
    const { jobId, containerId, since } = await startSleepJob(backend(), agent().agentId);
    docker('rm', '-f', containerId);
    const done = await backend().waitFor('AgentJobDone', { since, timeoutMs: 20_000, where: (m) => m.job_id === jobId });
    expect((done.result as string[])[0]).toBe('crash');
    expect(done.state).toBe(SAMPLE_INPUT['@state']);
    await expectSingleDone(backend(), jobId, 2_500);
    expect(containersOf(agent().agentId)).toEqual([]);
  });

  it('a container labelled as this agent\'s that no job owns → removed by the health check', async () => {
    const stray = docker('create', '--label', `${LABEL_AGENT_ID}=${agent().agentId}`, TEST_BASE_IMAGE, 'sleep', '100');
    await until('removal logged', () => (agent().logs.some((l) => l.includes(stray) && l.includes('no job owns')) ? true : undefined), 20_000);
    expect(containersOf(agent().agentId)).not.toContain(stray);
  });

  it('a running job keeps its container: the health check leaves it alone', async () => {
    const { jobId, containerId, since } = await startSleepJob(backend(), agent().agentId);
    await new Promise((r) => setTimeout(r, 3_500));
    expect(containersOf(agent().agentId)).toEqual([containerId]);
    await backend().send({ job_id: jobId, state: '', '@type': 'BackendKillJob' });
    const done = await backend().waitFor('AgentJobDone', { since, timeoutMs: 20_000, where: (m) => m.job_id === jobId });
    expect(done.result).toEqual(['killed', '']);
  });
});
