import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { agentHarness } from '../support/agent-harness';
import type { AgentProcess } from '../support/agent-process';
import { containersOf, removeContainers } from '../support/docker-state';
import { buildGeneration3SampleImage, removeTestImages } from '../support/grading-test-images';
import { newJob, SAMPLE_INPUT } from '../support/job-requests';
import { runJob } from '../support/run-job';
import { untilTrue } from '../support/wait';

const scenario = (name: string, overrides: Parameters<typeof newJob>[2] = {}) =>
  newJob('testcourse', 'student', { ...overrides, inputdata: { ...SAMPLE_INPUT, scenario: name } });

/** JSON log lines of the agent with this message, for this job. */
function logLines(agent: AgentProcess, msg: string, jobId: string): Record<string, unknown>[] {
  return agent.logs
    .filter((line) => line.includes(msg) && line.includes(jobId))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('student containers (run_student) end to end, generation 4, real Docker', () => {
  const { backend, agent } = agentHarness();

  it('the student container runs the command and its exit code reaches the grading script', async () => {
    const job = scenario('hello');
    const done = await runJob(backend(), job);
    expect(done.result).toEqual(['success', 'retval=0 out=hello from the student container']);
    const [started] = logLines(agent(), 'student container started', job.job_id);
    expect(started.network).toBe('none');
    expect(containersOf(agent().agentId)).toEqual([]);
  });

  it('exit code 7 comes back as 7', async () => {
    const done = await runJob(backend(), scenario('exit7'));
    expect(done.result).toEqual(['success', 'retval=7 out=bye']);
  });

  it('an unknown environment → 254, and the job goes on', async () => {
    const done = await runJob(backend(), scenario('unknown-env'));
    expect(done.result).toEqual(['success', 'retval=254 out=']);
  });

  it.each([
    ['cpu-timeout', 'CPU time'],
    ['wall-timeout', 'wall time'],
  ])('%s → 253 (%s limit of the student container)', async (name) => {
    const done = await runJob(backend(), scenario(name));
    expect(done.result).toEqual(['success', 'retval=253 out=']);
  });

  it('memory overflow → 252', async () => {
    const done = await runJob(backend(), scenario('memory'));
    expect(done.result).toEqual(['success', 'retval=252 out=']);
  });

  it('limits above the parent\'s are capped to the parent\'s', async () => {
    const job = scenario('limits', { limits: { time: 10, hard_time: 25, memory: 100 } });
    const done = await runJob(backend(), job);
    expect(done.result).toEqual(['success', `retval=0 out=${100 * 1024 * 1024}`]);
    const [started] = logLines(agent(), 'student container started', job.job_id);
    expect(started.limits).toEqual({ cpuSeconds: 10, wallSeconds: 25, memoryMiB: 100 });
  });

  it('network: none by default, the parent\'s when shared', async () => {
    const parameters = { network_grading: true };
    const alone = await runJob(backend(), scenario('net-none', { parameters }));
    expect(alone.result).toEqual(['success', 'retval=0 out=lo']);
    const shared = await runJob(backend(), scenario('net-shared', { parameters }));
    expect(shared.result).toEqual(['success', 'retval=0 out=eth0 lo']);
  });

  it('a socket_id with "/" is refused with 254 and the job goes on', async () => {
    const done = await runJob(backend(), scenario('bad-socket'));
    expect(done.result).toEqual(['success', 'retval=254,0 out=still running']);
    expect(agent().logged('socket_id contains')).toBe(true);
  });

  it('the parent killed while its student runs → both containers gone', async () => {
    const job = scenario('stay');
    const since = backend().mark();
    await backend().send(job);
    await untilTrue('the student container', () => containersOf(agent().agentId, { role: 'student' }).length === 1);
    await backend().send({ job_id: job.job_id, state: '', '@type': 'BackendKillJob' });
    const done = await backend().waitFor('AgentJobDone', { since, timeoutMs: 20_000, where: (m) => m.job_id === job.job_id });
    expect(done.result).toEqual(['killed', '']);
    expect(containersOf(agent().agentId)).toEqual([]);
  });

  it('a student container removed behind the agent\'s back: the grading script gets a retval at once', async () => {
    const job = scenario('stay', { limits: { time: 60, hard_time: 120 } });
    const since = backend().mark();
    await backend().send(job);
    await untilTrue('the student container', () => containersOf(agent().agentId, { role: 'student', running: true }).length === 1);
    removeContainers(containersOf(agent().agentId, { role: 'student' }));
    // far sooner than the wall-time limit (120 s) or a health check (90 s) could end it
    const done = await backend().waitFor('AgentJobDone', { since, timeoutMs: 20_000, where: (m) => m.job_id === job.job_id });
    expect((done.result as string[])[1]).toMatch(/^retval=(137|254) out=$/);
    expect(containersOf(agent().agentId)).toEqual([]);
  });

  it('nothing is left: no container, no job folder, no error logged', () => {
    expect(containersOf(agent().agentId)).toEqual([]);
    expect(readdirSync(agent().workDir)).toEqual([]);
    expect(agent().logs.filter((l) => /"level":(50|60)/.test(l))).toEqual([]);
  });
});

describe('generation 3 on a runtime without a shared kernel: relay through the agent', () => {
  const image = `inginious-agent-test/gen3-sample:${process.pid}`;
  const { backend, agent } = agentHarness({
    prepare: () => buildGeneration3SampleImage(image, 'gen3-sample'),
    // "kata": served by runc here, but declared as running as root without a shared kernel
    env: { AGENT_RUNTIMES: 'runc:docker:shared,runc:kata:root' },
    cleanup: () => removeTestImages([image]),
  });

  it('stdin goes in, stdout and stderr come back, the exit code reaches the grading script', async () => {
    const job = scenario('relay', { environmentType: 'kata', environment: 'gen3-sample' });
    const done = await runJob(backend(), job);
    expect(done.result).toEqual(['success', 'retval=3 out=got: round trip err=oops']);
    expect(agent().logged('relaying the student container')).toBe(true);
    expect(containersOf(agent().agentId)).toEqual([]);
    expect(readdirSync(agent().workDir)).toEqual([]);
  });
});
