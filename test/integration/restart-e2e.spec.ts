import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LABEL_AGENT_ID } from '../../src/docker/docker.labels';
import { agentHarness, backendHarness } from '../support/agent-harness';
import { AgentProcess, REPO } from '../support/agent-process';
import { containersOf, docker, removeContainers, untilOnlyWarmPoolLeft } from '../support/docker-state';
import { ensureTestBaseImage, TEST_BASE_IMAGE } from '../support/grading-test-images';
import { newJob, SAMPLE_INPUT } from '../support/job-requests';
import { expectSingleDone, runJob } from '../support/run-job';
import { until } from '../support/wait';

const uniqueId = (what: string) => `${what}-${process.pid}-${Date.now().toString(36)}`;

/** A job that sleeps, then succeeds: long enough to be running at a signal, short enough to finish in a grace. */
function shortJob(seconds: number, message: string) {
  return newJob('sample', 'hello', {
    parameters: { run_cmd: `bash -c "sleep ${seconds}; feedback-result success; feedback-msg -m ${message}"` },
  });
}

describe('agent start and stop (real Docker, real ZeroMQ, built agent)', () => {
  const { backend } = backendHarness({ prepare: ensureTestBaseImage });
  const agents: AgentProcess[] = [];
  const foreign: string[] = [];

  afterEach(async () => {
    for (const agent of agents.splice(0)) {
      await agent.stop('SIGKILL');
      removeContainers(containersOf(agent.agentId));
    }
    removeContainers(foreign.splice(0));
  });

  it('after a SIGKILL, a restart with the same id and work folder removes the leftovers before its hello, never another agent\'s', async () => {
    const agentId = uniqueId('restart');
    const workDir = mkdtempSync(join(tmpdir(), 'agent-work-'));
    const first = await AgentProcess.start(backend(), { AGENT_ID: agentId, AGENT_TMP_DIR: workDir, AGENT_WARM_POOL: '0' });
    agents.push(first);
    for (const job of [newJob('testcourse', 'sleep'), newJob('testcourse', 'sleep')]) await backend().send(job);
    await until('two grading containers running', () => (containersOf(agentId, { running: true }).length === 2 ? true : undefined), 20_000);
    const otherAgent = uniqueId('other-agent');
    foreign.push(docker('run', '-d', '--label', `${LABEL_AGENT_ID}=${otherAgent}`, TEST_BASE_IMAGE, 'sleep', '100'));

    await first.stop('SIGKILL');
    expect(containersOf(agentId)).toHaveLength(2);
    expect(readdirSync(workDir)).toHaveLength(2);

    const second = await AgentProcess.start(backend(), { AGENT_ID: agentId, AGENT_TMP_DIR: workDir, AGENT_WARM_POOL: '0' });
    agents.push(second);
    // AgentProcess.start resolved on the hello: the clean-up was done before it.
    expect(containersOf(agentId)).toEqual([]);
    expect(readdirSync(workDir)).toEqual([]);
    expect(containersOf(otherAgent, { running: true })).toEqual(foreign);

    const next = await runJob(backend(), newJob('sample', 'hello'));
    expect(next.result[0]).toBe('success');
  });

  it('SIGTERM: new jobs are refused, running jobs get the grace, late ones close as a crash, each with one AgentJobDone, nothing left', async () => {
    const agent = await AgentProcess.start(backend(), { AGENT_SHUTDOWN_GRACE_S: '8', AGENT_WARM_POOL: '0' });
    agents.push(agent);
    const finishing = shortJob(3, 'finished-during-the-grace');
    const late = newJob('testcourse', 'sleep', { limits: { time: 60 } });
    const since = backend().mark();
    for (const job of [finishing, late]) await backend().send(job);
    await until('two grading containers running', () => (containersOf(agent.agentId, { running: true }).length === 2 ? true : undefined), 20_000);

    const exited = agent.stop('SIGTERM');
    await until('drain begun', () => (agent.logged('shutting down: waiting for the running jobs to finish') ? true : undefined), 10_000);
    const refused = newJob('sample', 'hello');
    await backend().send(refused);
    const refusedDone = await backend().waitFor('AgentJobDone', { since, where: (m) => m.job_id === refused.job_id });
    expect(refusedDone.result).toEqual(['crash', expect.stringMatching(/shutting down/)]);
    expect(refusedDone.state).toBe(SAMPLE_INPUT['@state']);

    const finished = await backend().waitFor('AgentJobDone', { since, timeoutMs: 15_000, where: (m) => m.job_id === finishing.job_id });
    expect(finished.result).toEqual(['success', 'finished-during-the-grace']);
    const stopped = await backend().waitFor('AgentJobDone', { since, timeoutMs: 30_000, where: (m) => m.job_id === late.job_id });
    expect(stopped.result).toEqual(['crash', expect.stringMatching(/shut down before the job finished/)]);
    expect(stopped.state).toBe(SAMPLE_INPUT['@state']);

    await exited;
    for (const job of [finishing, late, refused]) await expectSingleDone(backend(), job.job_id, 0);
    expect(containersOf(agent.agentId)).toEqual([]);
  });
});

/**
 * Restarting dockerd stops every container on the engine, not only ours: it runs only where the engine is the test's
 * own — in CI (CI=true, where .ci/run started it) or when asked with AGENT_TEST_RESTART_DOCKERD=1.
 */
function canRestartDockerd(): boolean {
  const allowed = process.env.CI === 'true' || process.env.AGENT_TEST_RESTART_DOCKERD === '1';
  return allowed && process.getuid?.() === 0 && spawnSync('pidof', ['dockerd']).status === 0 && spawnSync('systemctl', ['is-active', '--quiet', 'docker']).status !== 0;
}

describe.skipIf(!canRestartDockerd())('dockerd restarted under a running job', () => {
  const { backend, agent } = agentHarness({
    env: { AGENT_HEALTH_PERIOD_S: '1', AGENT_HEALTH_GRACE_S: '1', AGENT_WARM_POOL: '0' },
    beforeStop: () => {
      execFileSync('bash', [`${REPO}/scripts/ensure-docker.sh`], { stdio: 'ignore' });
    },
  });

  it('the agent survives, the job gets exactly one AgentJobDone, the next job works', async () => {
    const job = newJob('testcourse', 'sleep', { limits: { time: 60 } });
    const since = backend().mark();
    await backend().send(job);
    await until('grading container running', () => (containersOf(agent().agentId, { running: true }).length === 1 ? true : undefined), 20_000);

    try {
      const pid = execFileSync('pidof', ['dockerd'], { encoding: 'utf8' }).trim();
      process.kill(Number(pid), 'SIGTERM');
      await until('dockerd stopped', () => (spawnSync('pidof', ['dockerd']).status !== 0 ? true : undefined), 60_000);
    } finally {
      execFileSync('bash', [`${REPO}/scripts/ensure-docker.sh`], { stdio: 'ignore' });
    }

    const done = await backend().waitFor('AgentJobDone', { since, timeoutMs: 60_000, where: (m) => m.job_id === job.job_id });
    // dockerd 20.10 reports the deaths of the containers it stops before it closes the event stream (the job closes on
    // that); when that event is lost, the health check closes the job instead ("disappeared").
    expect(done.result).toEqual(['crash', expect.stringMatching(/disappeared|without returning a result/)]);
    await expectSingleDone(backend(), job.job_id, 2_000);
    expect(agent().child.exitCode).toBeNull();

    const pinged = backend().mark();
    await backend().ping();
    await backend().waitFor('Pong', { since: pinged });
    const next = await runJob(backend(), newJob('sample', 'hello'));
    expect(next.result[0]).toBe('success');
    expect(await untilOnlyWarmPoolLeft(agent(), 0)).toEqual([]);
  });
});
