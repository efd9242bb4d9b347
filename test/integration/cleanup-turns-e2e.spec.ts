import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { agentHarness } from '../support/agent-harness';
import type { AgentProcess } from '../support/agent-process';
import type { FakeBackend } from '../support/fake-backend';
import { newJob, SAMPLE_INPUT } from '../support/job-requests';
import { runJob } from '../support/run-job';
import { untilTrue } from '../support/wait';

const FILES = 5000;

/** A job that sleeps until its hard time limit (or a kill), its container started. */
async function startSleeper(backend: FakeBackend, agent: AgentProcess, hardTimeS: number): Promise<string> {
  const sleeper = newJob('testcourse', 'sleep', { limits: { time: 600, hard_time: hardTimeS } });
  await backend.send(sleeper);
  await untilTrue('the sleeper graded', () => agent.logs.some((l) => l.includes('grading container started') && l.includes(sleeper.job_id)));
  return sleeper.job_id;
}

/** A job that makes FILES files in /task, run to its AgentJobDone and the removal of its container. */
async function runFilesJob(backend: FakeBackend, agent: AgentProcess): Promise<string> {
  const job = newJob('testcourse', 'disk-writer', {
    limits: { disk: 256, time: 60, hard_time: 120 },
    inputdata: { ...SAMPLE_INPUT, scenario: 'files', count: String(FILES) },
  });
  const done = await runJob(backend, job);
  expect(done.result[0]).toBe('success');
  await untilTrue('its container removed', () => agent.logs.some((l) => l.includes('job cleaned up') && l.includes(job.job_id)));
  return job.job_id;
}

const folderRemoved = (agent: AgentProcess, jobId: string) => agent.logs.find((l) => l.includes('job folder removed') && l.includes(jobId));

describe("with no slices, finished jobs' folders are removed while no job grades (real Docker, built agent)", () => {
  const { backend, agent } = agentHarness({ env: { AGENT_WARM_POOL: '0', AGENT_CLEANUP_HOLD_MAX_S: '300', AGENT_CLEANUP_BUSY_PERCENT: '0' } });

  it('a finished job\'s folder waits while another job grades, and goes once none does', async () => {
    const sleeper = await startSleeper(backend(), agent(), 15);
    const filesJob = await runFilesJob(backend(), agent());
    await new Promise((r) => setTimeout(r, 1000));
    expect(readdirSync(agent().workDir)).toHaveLength(2); // the sleeper's and the finished job's
    expect(folderRemoved(agent(), filesJob)).toBeUndefined();
    await backend().waitFor('AgentJobDone', { timeoutMs: 30_000, where: (m) => m.job_id === sleeper });
    await untilTrue('no job folder left', () => readdirSync(agent().workDir).length === 0, 20_000);
    expect(folderRemoved(agent(), filesJob)).toBeDefined();
  });
});

/** The finished job's folder goes while the sleeper still grades. */
async function removedWhileAnotherGrades(backend: FakeBackend, agent: AgentProcess): Promise<void> {
  const sleeper = await startSleeper(backend, agent, 120);
  const filesJob = await runFilesJob(backend, agent);
  await untilTrue('the finished job\'s folder removed', () => folderRemoved(agent, filesJob) !== undefined, 15_000);
  expect(backend.received.some((m) => m.type === 'AgentJobDone' && m.message?.job_id === sleeper)).toBe(false);
  expect(readdirSync(agent.workDir)).toHaveLength(1);
  await backend.send({ job_id: sleeper, state: '', '@type': 'BackendKillJob' });
  await backend.waitFor('AgentJobDone', { timeoutMs: 30_000, where: (m) => m.job_id === sleeper });
  await untilTrue('no job folder left', () => readdirSync(agent.workDir).length === 0, 20_000);
}

describe('with no slices, a removal waits at most AGENT_CLEANUP_HOLD_MAX_S (real Docker, built agent)', () => {
  const { backend, agent } = agentHarness({ env: { AGENT_WARM_POOL: '0', AGENT_CLEANUP_HOLD_MAX_S: '2', AGENT_CLEANUP_BUSY_PERCENT: '0' } });

  it('the folder goes while the other job still grades', () => removedWhileAnotherGrades(backend(), agent()));
});

describe('by default, held removals run in slices while jobs grade (real Docker, built agent)', () => {
  const { backend, agent } = agentHarness({ env: { AGENT_WARM_POOL: '0', AGENT_CLEANUP_HOLD_MAX_S: '300' } });

  it('the folder goes while the other job still grades, long before the longest wait', () => removedWhileAnotherGrades(backend(), agent()));
});
