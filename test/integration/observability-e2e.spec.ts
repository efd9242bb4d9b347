import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentHarness } from '../support/agent-harness';
import { makeTasksDir, REPO } from '../support/agent-process';
import { FakeBackend } from '../support/fake-backend';
import { freePort, getStatus, metricValue, parseMetrics } from '../support/http-probe';
import { newJob, SAMPLE_INPUT } from '../support/job-requests';
import { runJob } from '../support/run-job';

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The built agent for a test that watches its start itself (AgentProcess.start waits for a hello). stderr is piped. */
function spawnAgent(backend: FakeBackend, httpPort: number, name: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [join(REPO, 'dist', 'main.js')], {
    cwd: REPO,
    env: {
      PATH: process.env.PATH,
      AGENT_BACKEND_ADDR: backend.address,
      AGENT_TASKS_DIR: join(REPO, 'tasks'),
      AGENT_TMP_DIR: mkdtempSync(join(tmpdir(), 'agent-work-')),
      AGENT_ID: `test-${name}-${process.pid}`,
      AGENT_LOG_FORMAT: 'json',
      AGENT_HTTP_PORT: String(httpPort),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

describe('health and metrics of a running agent (real Docker, real ZeroMQ, built agent)', () => {
  let port = 0;
  const { backend } = agentHarness({
    prepare: async () => {
      port = await freePort();
    },
    env: () => ({ AGENT_HTTP_PORT: String(port), AGENT_BACKEND_SILENCE_MS: '4000' }),
  });
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;
  const metrics = async () => parseMetrics((await getStatus(url('/metrics'))).body);

  it('is live, and ready once the backend pings', async () => {
    expect((await getStatus(url('/health/live'))).status).toBe(200);
    await until(async () => (await getStatus(url('/health/ready'))).status === 200, 10_000, 'ready');
    const ready = JSON.parse((await getStatus(url('/health/ready'))).body);
    expect(Object.keys(ready.info).sort()).toEqual(['backend', 'docker', 'dockerEvents', 'takingJobs']);
  });

  it('counts the jobs of a run by result and environment, with phase latencies and container metrics', async () => {
    const before = await metrics();
    const results = [
      (await runJob(backend(), newJob('sample', 'hello'))).result[0],
      (await runJob(backend(), newJob('sample', 'partial'))).result[0],
      (await runJob(backend(), newJob('sample', 'crash'))).result[0],
      (await runJob(backend(), newJob('sample', 'hello', { environment: 'no-such-env' }))).result[0],
      (await runJob(backend(), newJob('testcourse', 'cpu-burn', { limits: { time: 1, hard_time: 60 } }))).result[0],
      (await runJob(backend(), newJob('sample', 'student-program', { inputdata: { ...SAMPLE_INPUT, q1: 'exit 3' } }))).result[0],
    ];
    expect(results).toEqual(['success', 'failed', 'crash', 'crash', 'timeout', 'failed']);
    const after = await metrics();
    const delta = (name: string, labels: Record<string, string> = {}) => metricValue(after, name, labels) - metricValue(before, name, labels);
    const docker = { environment_type: 'docker', environment: 'default' };
    expect(delta('agent_jobs_total', { ...docker, result: 'success' })).toBe(1);
    expect(delta('agent_jobs_total', { ...docker, result: 'failed' })).toBe(2);
    expect(delta('agent_jobs_total', { ...docker, result: 'crash' })).toBe(1);
    expect(delta('agent_jobs_total', { ...docker, result: 'timeout' })).toBe(1);
    expect(delta('agent_jobs_total', { environment: 'no-such-env', result: 'crash' })).toBe(1);
    expect(delta('agent_jobs_total')).toBe(6);
    // every job has a close phase; the refused one (unknown environment) never ran a container
    expect(delta('agent_job_phase_seconds_count', { phase: 'close' })).toBe(6);
    expect(delta('agent_job_phase_seconds_count', { phase: 'run' })).toBe(5);
    expect(delta('agent_limit_kills_total', { kind: 'cpu' })).toBe(1);
    expect(delta('agent_student_containers_total', { retval: '3' })).toBe(1);
    expect(delta('agent_docker_api_seconds_count', { operation: 'POST /containers/create' })).toBe(6);
    expect(delta('agent_limit_sweep_seconds_count')).toBeGreaterThan(0);
    expect(metricValue(after, 'agent_job_slots_total')).toBe(2);
    expect(metricValue(after, 'agent_job_slots_busy')).toBe(0);
    expect(metricValue(after, 'agent_containers_running', { role: 'grading' })).toBe(0);
    expect(metricValue(after, 'agent_backend_pong_seconds_count')).toBeGreaterThan(0);
    expect(metricValue(after, 'process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('is not ready while the backend is away, reconnects, and is ready again once it pings', async () => {
    backend().stopPinging();
    await backend().restart(); // closed, then bound again knowing no agent: it pings nobody until a new hello
    backend().startPinging();
    await until(async () => (await getStatus(url('/health/ready'))).status === 503, 10_000, 'not ready without pings');
    const notReady = JSON.parse((await getStatus(url('/health/ready'))).body);
    expect(Object.keys(notReady.error)).toEqual(['backend']);
    expect((await getStatus(url('/health/live'))).status).toBe(200);
    expect(metricValue(await metrics(), 'agent_backend_connected')).toBe(0);
    await until(async () => metricValue(await metrics(), 'agent_backend_reconnects_total') >= 1, 15_000, 'a reconnect counted');
    await until(async () => (await getStatus(url('/health/ready'))).status === 200, 15_000, 'ready again');
    expect(metricValue(await metrics(), 'agent_backend_connected')).toBe(1);
  });
});

describe('health of an agent whose Docker engine does not answer (built agent)', () => {
  let backend: FakeBackend;
  let agent: ChildProcess;
  let port = 0;

  beforeAll(async () => {
    backend = await FakeBackend.start();
    backend.startPinging();
    port = await freePort();
    agent = spawnAgent(backend, port, 'nodocker', {
      DOCKER_HOST: `unix://${join(mkdtempSync(join(tmpdir(), 'no-docker-')), 'docker.sock')}`,
    });
    agent.stderr?.resume();
  });

  afterAll(async () => {
    if (agent.exitCode === null) {
      const exited = new Promise((done) => agent.once('exit', done));
      agent.kill('SIGKILL');
      await exited;
    }
    backend.close();
  });

  it('is live but not ready, naming Docker and its event stream', async () => {
    await until(async () => (await getStatus(`http://127.0.0.1:${port}/health/live`)).status === 200, 20_000, 'live');
    const ready = await getStatus(`http://127.0.0.1:${port}/health/ready`);
    expect(ready.status).toBe(503);
    const body = JSON.parse(ready.body);
    expect(body.error.docker.status).toBe('down');
    expect(body.error.dockerEvents.status).toBe('down');
  });
});

describe('readiness of an agent draining its jobs on SIGTERM (real Docker, built agent)', () => {
  it('is not ready (takingJobs down) while a running job drains; the job still closes', async () => {
    const backend = await FakeBackend.start();
    backend.startPinging();
    const port = await freePort();
    const agent = spawnAgent(backend, port, 'draining', {
      AGENT_TASKS_DIR: makeTasksDir(),
      AGENT_SHUTDOWN_GRACE_S: '30',
    });
    agent.stderr?.resume();
    const exited = new Promise<number | null>((done) => agent.once('exit', done));
    try {
      await until(async () => (await getStatus(`http://127.0.0.1:${port}/health/ready`)).status === 200, 20_000, 'ready');
      const job = newJob('testcourse', 'sleep');
      await backend.send(job);
      await backend.waitFor('AgentJobStarted');
      agent.kill('SIGTERM');
      await until(async () => (await getStatus(`http://127.0.0.1:${port}/health/ready`)).status === 503, 10_000, 'not ready');
      const body = JSON.parse((await getStatus(`http://127.0.0.1:${port}/health/ready`)).body);
      expect(body.error.takingJobs).toMatchObject({ status: 'down', message: 'shutting down: running jobs are draining' });
      await backend.send({ '@type': 'BackendKillJob', job_id: job.job_id, state: '' });
      const done = await backend.waitFor('AgentJobDone', { timeoutMs: 20_000, where: (m) => m.job_id === job.job_id });
      expect(done.result).toEqual(['killed', '']);
      await exited;
    } finally {
      if (agent.exitCode === null) agent.kill('SIGKILL');
      backend.close();
    }
  });
});

describe('an agent whose HTTP port is taken (built agent)', () => {
  it('stops with exit code 1 and the reason, before saying hello to the backend', async () => {
    const backend = await FakeBackend.start();
    const holder = createServer();
    await new Promise<void>((listening) => holder.listen(0, '127.0.0.1', listening));
    const { port } = holder.address() as { port: number };
    try {
      const agent = spawnAgent(backend, port, 'port-taken');
      let stderr = '';
      agent.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((exited) => agent.once('exit', exited));
      expect(code).toBe(1);
      expect(stderr).toContain('EADDRINUSE');
      expect(backend.count('AgentHello')).toBe(0);
    } finally {
      holder.close();
      backend.close();
    }
  });
});
