import { createServer, connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { agentHarness } from '../support/agent-harness';
import { LABEL_JOB_ID, LABEL_ROLE } from '../../src/docker/docker.labels';
import { containersOf, docker } from '../support/docker-state';
import type { FakeBackend } from '../support/fake-backend';
import { newJob, SAMPLE_INPUT } from '../support/job-requests';
import { runJob } from '../support/run-job';

const NETWORK = { network_grading: true };

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

/** Two consecutive TCP ports nobody listens on. */
async function freePortPair(): Promise<[number, number]> {
  for (;;) {
    const first = 40_000 + Math.floor(Math.random() * 20_000);
    if ((await portIsFree(first)) && (await portIsFree(first + 1))) return [first, first + 1];
  }
}

/** The first line a TCP server at 127.0.0.1:port sends (one attempt; undefined when the connection closes first). */
function tryFirstLine(port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const finish = (line: string | undefined) => (clearTimeout(timer), socket.destroy(), resolve(line));
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      if (data.includes('\n')) finish(data.split('\r\n')[0]);
    });
    socket.on('error', () => finish(undefined));
    socket.on('close', () => finish(undefined));
  });
}

/** The first line of the server at 127.0.0.1:port, trying again for 30 s (a loaded machine may be slow to accept). */
async function firstLine(port: number): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const line = await tryFirstLine(port, Math.max(1, Math.min(5_000, deadline - Date.now())));
    if (line !== undefined) return line;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no banner on port ${port}`);
}

/** The environments of the agent's (last) AgentHello. */
function helloEnvironments(backend: FakeBackend): Record<string, Record<string, Record<string, unknown>>> {
  const hello = [...backend.received].reverse().find((m) => m.type === 'AgentHello');
  return hello?.message?.available_environments as Record<string, Record<string, Record<string, unknown>>>;
}

/** Sends a job and resolves with its AgentJobSSHDebug. */
async function startSshJob(backend: FakeBackend, job: { job_id: string }): Promise<Record<string, unknown>> {
  const since = backend.mark();
  await backend.send(job);
  return backend.waitFor('AgentJobSSHDebug', { since, timeoutMs: 30_000, where: (m) => m.job_id === job.job_id });
}

async function kill(backend: FakeBackend, jobId: string): Promise<Record<string, unknown>> {
  const since = backend.mark();
  await backend.send({ job_id: jobId, state: '', '@type': 'BackendKillJob' });
  return backend.waitFor('AgentJobDone', { since, timeoutMs: 20_000, where: (m) => m.job_id === jobId });
}

/** The running grading container of a job, found by its job label. */
const gradingContainerOf = (jobId: string) =>
  docker('ps', '-q', '--no-trunc', '--filter', `label=${LABEL_JOB_ID}=${jobId}`, '--filter', `label=${LABEL_ROLE}=grading`)
    .split('\n')
    .filter(Boolean);

/** Runs `check` on the job's grading container while it runs, then kills the job. */
async function whileRunning(backend: FakeBackend, job: { job_id: string }, check: (containerId: string) => void): Promise<void> {
  await backend.send(job);
  let running: string[] = [];
  for (let i = 0; i < 100 && running.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 200));
    running = gradingContainerOf(job.job_id);
  }
  expect(running).toHaveLength(1);
  check(running[0]);
  await kill(backend, job.job_id);
}

/** The container's network mode and its DEBUGGER variable(s), e.g. `none DEBUGGER=False`. */
function networkAndDebugger(containerId: string): string {
  const [mode, ...env] = docker('inspect', '--format', '{{.HostConfig.NetworkMode}}{{range .Config.Env}}\n{{.}}{{end}}', containerId).split('\n');
  return [mode, ...env.filter((line) => line.startsWith('DEBUGGER='))].join(' ');
}

const firstExternalIpv4 = () =>
  Object.values(networkInterfaces())
    .flatMap((addresses) => addresses ?? [])
    .find((a) => a.family === 'IPv4' && !a.internal)?.address;

describe('SSH allowed (--ssh, as the Python agent\'s command line), pool of 2 ports', () => {
  let range: [number, number];
  const { backend, agent } = agentHarness({
    prepare: async () => {
      range = await freePortPair();
    },
    env: { AGENT_CONCURRENCY: '4' },
    args: () => ['--ssh', '--debug-ports', `${range[0]}-${range[1]}`],
  });

  const sshDebugJob = () => newJob('testcourse', 'sleep', { debug: 'ssh' });
  const studentSshJob = (environmentType: string, parameters: Record<string, unknown>) =>
    newJob('testcourse', 'student', { environmentType, parameters, inputdata: { ...SAMPLE_INPUT, scenario: 'ssh' } });

  it('hello announces docker-ssh right after docker, with the same images', () => {
    const environments = helloEnvironments(backend());
    expect(Object.keys(environments).slice(0, 2)).toEqual(['docker', 'docker-ssh']);
    expect(Object.keys(environments.docker).length).toBeGreaterThan(0);
    expect(environments['docker-ssh']).toEqual(environments.docker);
  });

  it('a docker-ssh job grades, its student container included', async () => {
    const job = newJob('testcourse', 'student', { environmentType: 'docker-ssh', inputdata: { ...SAMPLE_INPUT, scenario: 'hello' } });
    const done = await runJob(backend(), job);
    expect(done.result).toEqual(['success', 'retval=0 out=hello from the student container']);
  });

  it('debug "ssh" (no network asked): announced once with the debug host and a pool port that reaches the container\'s sshd', async () => {
    const job = sshDebugJob();
    const announced = await startSshJob(backend(), job);
    expect(announced).toMatchObject({ job_id: job.job_id, host: firstExternalIpv4(), user: 'worker' });
    expect(range).toContain(announced.port);
    expect(announced.password).toMatch(/^\S{8,}$/);
    expect(await firstLine(announced.port as number)).toMatch(/^SSH-2\.0-OpenSSH/);
    expect(agent().logged('"source":"interface"')).toBe(true);
    expect((await kill(backend(), job.job_id)).result).toEqual(['killed', '']);
    expect(backend().received.filter((m) => m.type === 'AgentJobSSHDebug' && m.message?.job_id === job.job_id)).toHaveLength(1);
  });

  it('3 SSH jobs on 2 ports: the third fails cleanly; after one ends a new one gets its port', async () => {
    const first = sshDebugJob();
    const second = sshDebugJob();
    const ports = [(await startSshJob(backend(), first)).port, (await startSshJob(backend(), second)).port];
    expect([...ports].sort()).toEqual(range);

    const third = await runJob(backend(), sshDebugJob());
    expect(third.result[0]).toBe('crash');
    expect(third.result[1]).toMatch(/cannot allocate 1 external port/);

    expect((await kill(backend(), first.job_id)).result).toEqual(['killed', '']);
    const fourth = sshDebugJob();
    expect((await startSshJob(backend(), fourth)).port).toBe(ports[0]);
    await kill(backend(), second.job_id);
    await kill(backend(), fourth.job_id);
  });

  it('ssh_student in docker-ssh with network: the student container\'s port 22 is published and announced; the parent killed frees everything', async () => {
    const job = studentSshJob('docker-ssh', NETWORK);
    const announced = await startSshJob(backend(), job);
    expect(announced).toMatchObject({ job_id: job.job_id, user: 'worker' });
    expect(await firstLine(announced.port as number)).toMatch(/^SSH-2\.0-OpenSSH/);
    expect(containersOf(agent().agentId)).toHaveLength(2);
    expect((await kill(backend(), job.job_id)).result).toEqual(['killed', '']);
    expect(containersOf(agent().agentId)).toEqual([]);

    // both ports are free again
    const again = [sshDebugJob(), sshDebugJob()];
    const ports = [(await startSshJob(backend(), again[0])).port, (await startSshJob(backend(), again[1])).port];
    expect([...ports].sort()).toEqual(range);
    for (const j of again) await kill(backend(), j.job_id);
  });

  it.each([
    ['docker', NETWORK, 'requires an environment that allows SSH (environment type docker-ssh): enable'],
    ['docker-ssh', {}, 'requires network access: enable'],
  ])('ssh_student in %s with %j: the job ends as crash telling the task author what to enable', async (environmentType, parameters, text) => {
    const job = studentSshJob(environmentType, parameters);
    const done = await runJob(backend(), job);
    expect(done.result[0]).toBe('crash');
    expect(done.result[1]).toContain(text);
    expect(backend().received.some((m) => m.type === 'AgentJobSSHDebug' && m.message?.job_id === job.job_id)).toBe(false);
  });

  it('nothing is left: no container, no job folder', async () => {
    await new Promise((r) => setTimeout(r, 500));
    expect(containersOf(agent().agentId)).toEqual([]);
    expect(readdirSync(agent().workDir)).toEqual([]);
    expect(agent().logs.filter((l) => /"level":60/.test(l))).toEqual([]);
  });
});

describe('SSH with default settings (SSH features off, SSH debug on)', () => {
  let range: [number, number];
  const { backend, agent } = agentHarness({
    prepare: async () => {
      range = await freePortPair();
    },
    env: () => ({ AGENT_DEBUG_HOST: 'debug.example.test', AGENT_DEBUG_PORTS: `${range[0]}-${range[1]}` }),
  });

  it('hello announces no SSH environment type', () => {
    expect(Object.keys(helloEnvironments(backend())).filter((envtype) => envtype.endsWith('-ssh'))).toEqual([]);
  });

  it('debug "ssh" is served: port 22 published from the pool on a bridge, announced once with the configured host', async () => {
    const job = newJob('testcourse', 'sleep', { debug: 'ssh' });
    const announced = await startSshJob(backend(), job);
    expect(announced).toMatchObject({ job_id: job.job_id, host: 'debug.example.test', user: 'worker' });
    expect(range).toContain(announced.port);
    expect(await firstLine(announced.port as number)).toMatch(/^SSH-2\.0-OpenSSH/);
    const [containerId] = gradingContainerOf(job.job_id);
    expect(networkAndDebugger(containerId)).toBe('bridge DEBUGGER=False');
    expect(agent().logs.some((l) => l.includes('"host":"debug.example.test"') && l.includes('"source":"configured"'))).toBe(true);
    expect((await kill(backend(), job.job_id)).result).toEqual(['killed', '']);
    expect(backend().received.filter((m) => m.type === 'AgentJobSSHDebug' && m.message?.job_id === job.job_id)).toHaveLength(1);
  });

  it('DEBUGGER=False and no network in a plain job\'s container', async () => {
    await whileRunning(backend(), newJob('testcourse', 'sleep'), (containerId) => {
      expect(networkAndDebugger(containerId)).toBe('none DEBUGGER=False');
    });
  });

  it('a docker-ssh job is refused as an environment not available here, saying which setting serves it', async () => {
    const done = await runJob(backend(), newJob('testcourse', 'sleep', { environmentType: 'docker-ssh' }));
    expect(done.result[0]).toBe('crash');
    expect(done.result[1]).toMatch(/docker-ssh\/default is not available on this agent\. SSH environment types are served only by an agent that allows SSH \(AGENT_SSH_ALLOWED, --ssh\)\./);
  });

  it('ssh_student with network is refused: the job ends as crash naming the agent setting', async () => {
    const job = newJob('testcourse', 'student', { parameters: NETWORK, inputdata: { ...SAMPLE_INPUT, scenario: 'ssh' } });
    const done = await runJob(backend(), job);
    expect(done.result[0]).toBe('crash');
    expect(done.result[1]).toMatch(/SSH for student containers is disabled on this agent \(AGENT_SSH_ALLOWED, --ssh, is off\)/);
    expect(backend().received.some((m) => m.type === 'AgentJobSSHDebug' && m.message?.job_id === job.job_id)).toBe(false);
  });
});

describe('SSH debug turned off (AGENT_SSH_DEBUG=false), the IDE debugger on (--debugger)', () => {
  const { backend, agent } = agentHarness({ env: { AGENT_SSH_DEBUG: 'false' }, args: ['--debugger'] });

  it('debug "ssh" → crash saying SSH debug is off on this agent, no container', async () => {
    const done = await runJob(backend(), newJob('testcourse', 'sleep', { debug: 'ssh' }));
    expect(done.result).toEqual(['crash', 'SSH debug is disabled on this agent (AGENT_SSH_DEBUG is off). Please contact your course administrator.']);
    expect(done.stdout).toBeNull();
    expect(containersOf(agent().agentId)).toEqual([]);
  });

  it('DEBUGGER=True, and the network the debug server needs, in the grading container', async () => {
    await whileRunning(backend(), newJob('testcourse', 'sleep'), (containerId) => {
      expect(networkAndDebugger(containerId)).toBe('bridge DEBUGGER=True');
    });
  });
});
