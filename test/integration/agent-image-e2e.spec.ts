import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/agent-process';
import { containersOf, docker, removeContainers } from '../support/docker-state';
import { FakeBackend } from '../support/fake-backend';
import { TEST_LABEL } from '../support/grading-test-images';
import { freePort, getStatus } from '../support/http-probe';
import { newJob, SAMPLE_INPUT } from '../support/job-requests';
import { runJob } from '../support/run-job';

/**
 * The image of `npm run image`, run as INGInious' compose service `agent-docker` runs: BACKEND in the environment,
 * tasks at /inginious/tasks, the work folder mounted at the same path as on the host, the Docker socket mounted.
 */
describe('the agent container image, as a drop-in for INGInious agent-docker (real Docker, real ZeroMQ)', () => {
  let backend: FakeBackend;
  let container = '';
  let workDir = '';
  let httpPort = 0;
  const agentId = `test-image-${process.pid}-${Date.now().toString(36)}`;

  beforeAll(async () => {
    execFileSync('bash', [join(REPO, 'scripts/build-sample-image.sh')], { stdio: 'ignore' });
    const image = execFileSync('bash', [join(REPO, 'scripts/build-agent-image.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n')
      .pop() as string;
    backend = await FakeBackend.start();
    backend.startPinging();
    workDir = mkdtempSync('/tmp/agent_data-test-');
    httpPort = await freePort();
    const since = backend.mark();
    container = docker(
      'run', '-d', '--label', `${TEST_LABEL}=1`, '--network', 'host',
      '-e', `BACKEND=${backend.address}`,
      '-e', `AGENT_TMP_DIR=${workDir}`,
      '-e', `AGENT_ID=${agentId}`,
      '-e', `AGENT_HTTP_PORT=${httpPort}`,
      '-e', 'AGENT_CONCURRENCY=1',
      '-v', '/var/run/docker.sock:/var/run/docker.sock',
      '-v', `${join(REPO, 'tasks')}:/inginious/tasks:ro`,
      '-v', `${workDir}:${workDir}`,
      image,
    );
    await backend.waitFor('AgentHello', { since, timeoutMs: 30_000 }).catch((error: Error) => {
      const log = spawnSync('docker', ['logs', container], { encoding: 'utf8' });
      throw new Error(`${error.message}\n--- agent log ---\n${log.stdout}${log.stderr}`);
    });
  });

  afterAll(() => {
    if (container) removeContainers([container]);
    removeContainers(containersOf(agentId));
    backend?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('grades a sample job and reports ready on its HTTP endpoint', async () => {
    const done = await runJob(backend, newJob('sample', 'hello'));
    expect(done.result).toEqual(['success', `Hello! You answered: ${SAMPLE_INPUT.q1}`]);
    expect((await getStatus(`http://127.0.0.1:${httpPort}/health/ready`)).status).toBe(200);
  });
});
