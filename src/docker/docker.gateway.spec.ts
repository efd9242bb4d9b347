import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentConfig, parseAgentConfig } from '../config/agent-config';
import { DockerDeadlineError, DockerGateway } from './docker.gateway';

/** An engine that takes every request and never answers: each call must fail at its deadline, not wait forever. */
describe('DockerGateway deadlines against an engine that never answers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hung-docker-'));
  const socket = join(dir, 'docker.sock');
  const held: Array<() => void> = [];
  let server: Server;
  let gateway: DockerGateway;
  const DEADLINE_MS = 300;

  beforeAll(async () => {
    server = createServer((_request, response) => held.push(() => response.destroy()));
    await new Promise<void>((listening) => server.listen(socket, listening));
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = `unix://${socket}`;
    const config = parseAgentConfig({ AGENT_BACKEND_ADDR: 'tcp://127.0.0.1:1', AGENT_ID: 'unit' });
    gateway = new DockerGateway(new AgentConfig({ ...config, dockerTimeoutMs: DEADLINE_MS }));
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  });

  afterAll(async () => {
    for (const release of held) release();
    server.closeAllConnections();
    await new Promise((closed) => server.close(closed));
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['create', (g: DockerGateway) => g.createContainer({ Image: 'x' } as never)],
    ['attach', (g: DockerGateway) => g.attach('c1')],
    ['start', (g: DockerGateway) => g.start('c1')],
    ['kill', (g: DockerGateway) => g.kill('c1')],
    ['inspect', (g: DockerGateway) => g.inspect('c1')],
    ['remove', (g: DockerGateway) => g.remove('c1')],
    ['list containers', (g: DockerGateway) => g.listOwnContainers()],
    ['list images', (g: DockerGateway) => g.listGradingImages()],
    ['info', (g: DockerGateway) => g.engineInfo()],
    ['stats', (g: DockerGateway) => g.oneShotStats('c1')],
  ])('%s fails with a DockerDeadlineError naming the call', async (what, call) => {
    const error = await call(gateway).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerDeadlineError);
    expect((error as Error).message).toBe(`Docker did not answer "${what}" within ${DEADLINE_MS} ms`);
  });

  it('a died-of-memory check whose inspect misses its deadline answers "no" instead of hanging', async () => {
    expect(await gateway.diedOfMemory('c1', 137)).toBe(false);
  });
});
