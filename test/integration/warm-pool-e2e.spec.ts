import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentHarness, backendHarness } from '../support/agent-harness';
import { AgentProcess } from '../support/agent-process';
import { containersOf, docker, removeContainers } from '../support/docker-state';
import { buildOnSampleImage, removeTestImages, waitForNextSecond } from '../support/grading-test-images';
import { newJob } from '../support/job-requests';
import { expectSingleDone, runJob } from '../support/run-job';
import { until, untilTrue } from '../support/wait';
import { comparableOutcome, ranWarm, runWarmJob, untilWarmIdle } from '../support/warm-pool';

const SAMPLE_TASKS = ['hello', 'partial', 'error', 'crash', 'echo-input', 'student-program', 'trivial'];
/** A job that runs `script` (bash) in place of the task's run file. */
const scripted = (script: string, limits: Record<string, unknown> = {}, environment?: string) =>
  newJob('sample', 'hello', { limits, environment, parameters: { run_cmd: `bash -c '${script}'` } });
const NAME_LABEL = 'org.inginious.grading.name';

describe('warm pool: every sample outcome is the same warm and cold (real Docker)', () => {
  const warm = agentHarness();
  const cold = agentHarness({ env: { AGENT_WARM_POOL: '0' } });

  it.each(SAMPLE_TASKS)('sample/%s', async (task) => {
    const coldDone = await runJob(cold.backend(), newJob('sample', task));
    if (!warm.agent().logs.some((l) => l.includes('"msg":"warm container ready"'))) await runJob(warm.backend(), newJob('sample', task));
    const warmDone = await runWarmJob(warm.backend(), warm.agent(), newJob('sample', task));
    expect(comparableOutcome(warmDone)).toEqual(comparableOutcome(coldDone));
  });

  it('AGENT_WARM_POOL=0: no warm container ever made', () => {
    expect(containersOf(cold.agent().agentId, { role: 'warm' })).toEqual([]);
    expect(cold.agent().logs.filter((l) => l.includes('warm container'))).toEqual([]);
  });
});

/** Waits until an idle warm container of `imageId` (the idle-burn image) has finished its burn: its runtime runs. */
async function untilIdleBurnDone(agent: AgentProcess, imageId: string): Promise<void> {
  await untilWarmIdle(agent);
  const taken = new Set(agent.logs.filter((l) => l.includes('"msg":"warm container taken"')).map((l) => JSON.parse(l).containerId as string));
  const runtimeRunning = (id: string) => {
    if (docker('inspect', '-f', '{{.Image}}', id) !== imageId) return false;
    const processes = spawnSync('docker', ['top', id], { encoding: 'utf8' }).stdout ?? '';
    return processes.includes('ingi_runtime') && !processes.includes('process_time');
  };
  await untilTrue('the idle runtime past its burn', () => containersOf(agent.agentId, { role: 'warm', running: true }).some((id) => !taken.has(id) && runtimeRunning(id)), 30_000).catch(
    (error: Error) => {
      const pool = agent.logs.filter((l) => l.includes('warm container'));
      throw new Error(`${error.message}\n${pool.join('\n')}\n${containersOf(agent.agentId, { role: 'warm' }).map((id) => `${id}: ${spawnSync('docker', ['top', id], { encoding: 'utf8' }).stdout}`).join('\n')}`);
    },
  );
}

describe('warm pool: the job\'s limits apply from its start frame (real Docker)', () => {
  // A runtime that burns 2.5 s of CPU before it reads its start frame: a warm container has spent it while idle.
  const idleBurner = `inginious-agent-test/warm-idle-burn:${process.pid}`;
  let idleBurnerId = '';
  const { backend, agent } = agentHarness({
    prepare: () => {
      idleBurnerId = buildOnSampleImage(idleBurner, { [NAME_LABEL]: 'idle-burn' }, [
        'ENTRYPOINT ["/bin/sh", "-c", "python3 -c \\"import time\\nwhile time.process_time() < 2.5: pass\\" && exec \\"$@\\"", "runtime"]',
        // a new ENTRYPOINT resets the inherited CMD
        'CMD ["/usr/bin/python3", "-u", "/usr/local/lib/ingi-sample/ingi_runtime.py"]',
      ]);
    },
    cleanup: () => removeTestImages([idleBurner]),
  });

  it('memory above the job\'s limit → overflow, in a container made with another limit or with the job\'s own', async () => {
    await runJob(backend(), newJob('sample', 'hello'));
    const done = await runWarmJob(backend(), agent(), newJob('testcourse', 'memory-hog', { limits: { memory: 50 } }));
    expect(done.result).toEqual(['overflow', '']);
    // its refill was made with 50 MiB: the next such job takes it without an update, and is held to it all the same
    const again = await runWarmJob(backend(), agent(), newJob('testcourse', 'memory-hog', { limits: { memory: 50 } }));
    expect(again.result).toEqual(['overflow', '']);
  });

  it('CPU its runtime used while idle is not charged; a busy loop ends as timeout after its own seconds', async () => {
    await runJob(backend(), scripted('feedback-result success', { time: 30 }, 'idle-burn')); // the pool learns the kind
    await untilIdleBurnDone(agent(), idleBurnerId);
    const oneSecond = await runWarmJob(backend(), agent(), scripted('timeout 1 sh -c "while :; do :; done"; feedback-result success', { time: 2 }, 'idle-burn'));
    expect(oneSecond.result[0]).toBe('success');

    // a generous hard time: on a loaded machine the busy loop may get little CPU per second
    const burner = newJob('testcourse', 'cpu-burn', { limits: { time: 2, hard_time: 120 }, environment: 'idle-burn' });
    await untilIdleBurnDone(agent(), idleBurnerId);
    const done = await runWarmJob(backend(), agent(), burner, 150_000);
    expect(done.result).toEqual(['timeout', '']);
    const started = JSON.parse(agent().logs.find((l) => l.includes('"msg":"grading container started"') && l.includes(burner.job_id))!);
    const exceeded = JSON.parse(agent().logs.find((l) => l.includes('"msg":"limit exceeded"') && l.includes(started.containerId))!);
    expect(exceeded.reason).toBe('cpu');
    expect(exceeded.cpuSeconds).toBeGreaterThanOrEqual(4.5); // 2.5 s while idle, 2 s for the job
    expect(exceeded.jobCpuSeconds).toBeGreaterThanOrEqual(2);
    expect(exceeded.jobCpuSeconds).toBeLessThan(2.6);
  }, 300_000);

  it('hard time counts from the start frame, not from when the container was made', async () => {
    await runJob(backend(), newJob('sample', 'hello'));
    await untilWarmIdle(agent());
    await new Promise((r) => setTimeout(r, 5_000)); // idle longer than the job's hard time
    const done = await runWarmJob(backend(), agent(), scripted('sleep 1; feedback-result success', { time: 30, hard_time: 3 }));
    expect(done.result[0]).toBe('success');
    const sleeper = await runWarmJob(backend(), agent(), newJob('testcourse', 'sleep', { limits: { time: 30, hard_time: 2 } }));
    expect(sleeper.result).toEqual(['timeout', '']);
  });

  it('kill of a job running in a warm container → killed, once', async () => {
    await untilWarmIdle(agent());
    const job = newJob('testcourse', 'sleep', { limits: { time: 60 } });
    const since = backend().mark();
    await backend().send(job);
    await untilTrue('the job running warm', () => ranWarm(agent(), job.job_id) && agent().logged('grading container started'));
    await backend().send({ job_id: job.job_id, state: '', '@type': 'BackendKillJob' });
    const done = await backend().waitFor('AgentJobDone', { since, timeoutMs: 20_000, where: (m) => m.job_id === job.job_id });
    expect(done.result).toEqual(['killed', '']);
    await expectSingleDone(backend(), job.job_id);
  });
});

describe('warm pool: its containers\' life (real Docker)', () => {
  const rebuilt = `inginious-agent-test/warm-rebuilt:${process.pid}`;
  const { backend } = backendHarness({ cleanup: () => removeTestImages([rebuilt]) });
  const agents: AgentProcess[] = [];
  const start = async (env: Record<string, string> = {}) => {
    const agent = await AgentProcess.start(backend(), env);
    agents.push(agent);
    return agent;
  };

  afterEach(async () => {
    for (const agent of agents.splice(0)) {
      await agent.stop('SIGKILL');
      removeContainers(containersOf(agent.agentId));
    }
  });

  it('every job slot busy: no container is made until one frees, then the wanted ones are', async () => {
    const agent = await start(); // 2 slots, the pool empty: both jobs start cold and each asks for one
    const jobs = [1, 2].map(() => newJob('testcourse', 'sleep', { limits: { time: 60 } }));
    const since = backend().mark();
    for (const job of jobs) await backend().send(job);
    await untilTrue('both jobs running', () => agent.logs.filter((l) => l.includes('"msg":"grading container started"')).length === 2);
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // a warm container takes ~1 s to make here
    expect(containersOf(agent.agentId, { role: 'warm' })).toEqual([]);
    await backend().send({ job_id: jobs[0].job_id, state: '', '@type': 'BackendKillJob' });
    await backend().waitFor('AgentJobDone', { since, timeoutMs: 20_000, where: (m) => m.job_id === jobs[0].job_id });
    await until('a warm container made beside the job still running', () => containersOf(agent.agentId, { role: 'warm', running: true })[0], 30_000);
    await backend().send({ job_id: jobs[1].job_id, state: '', '@type': 'BackendKillJob' });
    await backend().waitFor('AgentJobDone', { since, timeoutMs: 20_000, where: (m) => m.job_id === jobs[1].job_id });
  });

  it('a pool container removed behind the agent\'s back is replaced, and no job fails', async () => {
    const agent = await start();
    await runJob(backend(), newJob('sample', 'hello'));
    await untilWarmIdle(agent);
    const [idle] = containersOf(agent.agentId, { role: 'warm', running: true });
    docker('rm', '-f', idle);
    await until('a replacement', () => containersOf(agent.agentId, { role: 'warm', running: true }).find((id) => id !== idle), 30_000);
    const done = await runWarmJob(backend(), agent, newJob('sample', 'hello'));
    expect(done.result[0]).toBe('success');
  });

  it('an image rebuilt behind an environment: its idle containers are drained, new jobs run the new image', async () => {
    const marker = (version: string) => buildOnSampleImage(rebuilt, { [NAME_LABEL]: 'rebuilt' }, [`RUN echo ${version} > /marker`]);
    const showMarker = () => scripted('feedback-result success; feedback-msg -m "$(cat /marker)"', {}, 'rebuilt');
    marker('v1');
    const agent = await start({ AGENT_BACKEND_SILENCE_MS: '3000' });
    expect((await runJob(backend(), showMarker())).result[1]).toBe('v1');
    await untilWarmIdle(agent);
    const [oldIdle] = containersOf(agent.agentId, { role: 'warm', running: true });

    await waitForNextSecond();
    marker('v2');
    const since = backend().mark();
    await backend().restart(); // the agent says hello again, reading the images anew
    await backend().waitFor('AgentHello', { since, timeoutMs: 20_000 });
    expect((await runJob(backend(), showMarker())).result[1]).toBe('v2');
    await untilTrue('the old idle container drained', () => !containersOf(agent.agentId).includes(oldIdle));
    expect((await runWarmJob(backend(), agent, showMarker())).result[1]).toBe('v2');
  });

  it('SIGTERM leaves no warm container or folder behind', async () => {
    const agent = await start();
    await runJob(backend(), newJob('sample', 'hello'));
    await untilWarmIdle(agent);
    await agent.stop('SIGTERM'); // Nest re-raises the signal once closed: no exit code to check
    expect(containersOf(agent.agentId)).toEqual([]);
    expect(readdirSync(agent.workDir)).toEqual([]);
  });

  it('after a SIGKILL, a restart with the same id removes the warm leftovers before its hello', async () => {
    const env = { AGENT_ID: `warm-restart-${process.pid}`, AGENT_TMP_DIR: mkdtempSync(join(tmpdir(), 'agent-work-')) };
    const first = await start(env);
    await runJob(backend(), newJob('sample', 'hello'));
    await untilWarmIdle(first);
    await first.stop('SIGKILL');
    expect(containersOf(env.AGENT_ID, { role: 'warm' }).length).toBeGreaterThan(0);
    await start(env);
    expect(containersOf(env.AGENT_ID)).toEqual([]);
    expect(readdirSync(env.AGENT_TMP_DIR)).toEqual([]);
  });
});
