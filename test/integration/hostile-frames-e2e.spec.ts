import { describe, expect, it } from 'vitest';
import { agentHarness } from '../support/agent-harness';
import { containersOf } from '../support/docker-state';
import { untilTrue } from '../support/wait';
import { newJob, SAMPLE_INPUT } from '../support/job-requests';
import { pongsDuring } from '../support/pong-latency';
import { expectSingleDone, type JobDone } from '../support/run-job';

/**
 * Grading containers that write the frames most costly to read (issue #13): whatever they send, every Ping is
 * answered in under a second while their job is handled, and each job ends with exactly one AgentJobDone.
 */
describe('hostile result frames cannot stall the agent (real Docker, built agent)', () => {
  const { backend, agent } = agentHarness({ env: { AGENT_WARM_POOL: '0' } });

  async function runPinged(scenario: string, count = 1): Promise<{ done: JobDone; roundTripsMs: number[] }> {
    const job = newJob('testcourse', 'hostile-frames', {
      inputdata: { ...SAMPLE_INPUT, scenario, count: String(count) },
      limits: { time: 60, memory: 1500 },
    });
    const since = backend().mark();
    await backend().send(job);
    const work = backend().waitFor('AgentJobDone', { since, timeoutMs: 120_000, where: (m) => m.job_id === job.job_id });
    const { result, roundTripsMs } = await pongsDuring(backend(), work);
    await expectSingleDone(backend(), job.job_id);
    // a graded job's AgentJobDone goes out at its result; its container is removed just after
    await untilTrue('no container left', () => containersOf(agent().agentId).length === 0);
    return { done: result as JobDone, roundTripsMs };
  }

  it('an archive of 100 000 spaces and one bad character: refused as not base64, Pings answered', async () => {
    const { done, roundTripsMs } = await runPinged('spaces-archive');
    expect(done.result).toEqual(['crash', 'The output of the grader was unreadable ("archive" is not base64).']);
    expect(Math.max(...roundTripsMs)).toBeLessThan(1000);
  });

  it('a 14 MB result with 1.5 million entries: refused over the entry bound, Pings answered', async () => {
    const { done, roundTripsMs } = await runPinged('many-entries');
    expect(done.result[0]).toBe('crash');
    expect(done.result[1]).toContain('more than 100000 map and list entries');
    expect(roundTripsMs.length).toBeGreaterThan(5);
    expect(Math.max(...roundTripsMs)).toBeLessThan(1000);
  });

  it('three results as large as the limits allow (16 MiB, 99 000 entries): graded, Pings answered', async () => {
    const { done, roundTripsMs } = await runPinged('largest-allowed', 3);
    expect(done.result).toEqual(['success', '']);
    expect(done.grade).toBe(100);
    expect(Object.keys(done.custom as object)).toHaveLength(99_000);
    expect(Math.max(...roundTripsMs)).toBeLessThan(1000);
  });
});
