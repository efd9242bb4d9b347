import { createServer, connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { agentHarness } from '../support/agent-harness';
import { containersOf } from '../support/docker-state';
import { newJob, SAMPLE_INPUT } from '../support/job-requests';
import { runJob } from '../support/run-job';

const SSH_PARAMETERS = { network_grading: true, ssh_allowed: true };

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

/** The first line a TCP server at 127.0.0.1:port sends. */
function firstLine(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => (socket.destroy(), reject(new Error(`no banner on port ${port}`))), 10_000);
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      if (data.includes('\n')) {
        clearTimeout(timer);
        socket.destroy();
        resolve(data.split('\r\n')[0]);
      }
    });
    socket.on('error', (error) => (clearTimeout(timer), reject(error)));
  });
}

const firstExternalIpv4 = () =>
  Object.values(networkInterfaces())
    .flatMap((addresses) => addresses ?? [])
    .find((a) => a.family === 'IPv4' && !a.internal)?.address;

describe('SSH debug and the external port pool (real Docker, pool of 2 ports)', () => {
  let range: [number, number];
  const { backend, agent } = agentHarness({
    prepare: async () => {
      range = await freePortPair();
    },
    env: () => ({ AGENT_SSH_ALLOWED: 'true', AGENT_DEBUG_PORTS: `${range[0]}-${range[1]}`, AGENT_CONCURRENCY: '4', AGENT_WARM_POOL: '0' }),
  });

  /** Sends a job and resolves with its AgentJobSSHDebug. */
  async function startSshJob(job: { job_id: string }): Promise<Record<string, unknown>> {
    const since = backend().mark();
    await backend().send(job);
    return backend().waitFor('AgentJobSSHDebug', { since, timeoutMs: 30_000, where: (m) => m.job_id === job.job_id });
  }

  async function kill(jobId: string): Promise<Record<string, unknown>> {
    const since = backend().mark();
    await backend().send({ job_id: jobId, state: '', '@type': 'BackendKillJob' });
    return backend().waitFor('AgentJobDone', { since, timeoutMs: 20_000, where: (m) => m.job_id === jobId });
  }

  const sshJob = () => newJob('testcourse', 'sleep', { debug: 'ssh', parameters: SSH_PARAMETERS });

  it('debug "ssh": announced once with the debug host and a pool port that reaches the container\'s sshd', async () => {
    const job = sshJob();
    const announced = await startSshJob(job);
    expect(announced).toMatchObject({ job_id: job.job_id, host: firstExternalIpv4(), user: 'worker' });
    expect(range).toContain(announced.port);
    expect(announced.password).toMatch(/^\S{8,}$/);
    expect(await firstLine(announced.port as number)).toMatch(/^SSH-2\.0-OpenSSH/);
    expect(agent().logged('"source":"interface"')).toBe(true);
    await kill(job.job_id);
  });

  it('3 SSH jobs on 2 ports: the third fails cleanly; after one ends a new one gets its port', async () => {
    const first = sshJob();
    const second = sshJob();
    const ports = [(await startSshJob(first)).port, (await startSshJob(second)).port];
    expect([...ports].sort()).toEqual(range);

    const third = await runJob(backend(), sshJob());
    expect(third.result[0]).toBe('crash');
    expect(third.result[1]).toMatch(/cannot allocate 1 external port/);

    expect((await kill(first.job_id)).result).toEqual(['killed', '']);
    const fourth = sshJob();
    expect((await startSshJob(fourth)).port).toBe(ports[0]);
    await kill(second.job_id);
    await kill(fourth.job_id);
  });

  it('debug "ssh" is refused when the task does not allow SSH and network access', async () => {
    const done = await runJob(backend(), newJob('testcourse', 'sleep', { debug: 'ssh', parameters: { network_grading: true } }));
    expect(done.result[0]).toBe('crash');
    expect(done.result[1]).toMatch(/allow both SSH and network access/);
    expect(done.stdout).toBeNull();
  });

  it('ssh_student: the student container\'s port 22 is published and announced; the parent killed frees everything', async () => {
    const job = newJob('testcourse', 'student', { parameters: SSH_PARAMETERS, inputdata: { ...SAMPLE_INPUT, scenario: 'ssh' } });
    const announced = await startSshJob(job);
    expect(announced).toMatchObject({ job_id: job.job_id, user: 'worker' });
    expect(await firstLine(announced.port as number)).toMatch(/^SSH-2\.0-OpenSSH/);
    expect(containersOf(agent().agentId)).toHaveLength(2);
    expect((await kill(job.job_id)).result).toEqual(['killed', '']);
    expect(containersOf(agent().agentId)).toEqual([]);

    // both ports are free again
    const again = [sshJob(), sshJob()];
    const ports = [(await startSshJob(again[0])).port, (await startSshJob(again[1])).port];
    expect([...ports].sort()).toEqual(range);
    for (const j of again) await kill(j.job_id);
  });

  it('ssh_student refused when the task does not allow it: the job ends as crash with a text for the task author', async () => {
    const job = newJob('testcourse', 'student', { inputdata: { ...SAMPLE_INPUT, scenario: 'ssh' } });
    const done = await runJob(backend(), job);
    expect(done.result[0]).toBe('crash');
    expect(done.result[1]).toMatch(/allow both SSH and network access/);
    expect(backend().received.some((m) => m.type === 'AgentJobSSHDebug' && m.message?.job_id === job.job_id)).toBe(false);
  });

  it('nothing is left: no container, no job folder', async () => {
    await new Promise((r) => setTimeout(r, 500));
    expect(containersOf(agent().agentId)).toEqual([]);
    expect(readdirSync(agent().workDir)).toEqual([]);
    expect(agent().logs.filter((l) => /"level":60/.test(l))).toEqual([]);
  });
});

describe('SSH on an agent that does not allow it', () => {
  const { backend, agent } = agentHarness({ sampleImage: false, env: { AGENT_DEBUG_HOST: 'debug.example.test', AGENT_WARM_POOL: '0' } });

  it('debug "ssh" → crash saying SSH is off on this agent; the configured debug host is logged', async () => {
    const done = await runJob(backend(), newJob('testcourse', 'sleep', { debug: 'ssh', parameters: SSH_PARAMETERS }));
    expect(done.result[0]).toBe('crash');
    expect(done.result[1]).toMatch(/SSH access is disabled on this agent/);
    expect(agent().logs.some((l) => l.includes('"host":"debug.example.test"') && l.includes('"source":"configured"'))).toBe(true);
    expect(containersOf(agent().agentId)).toEqual([]);
  });
});
