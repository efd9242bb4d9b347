import type { INestMicroservice } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Logger } from 'nestjs-pino';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppModule } from '../../src/app.module';
import { backendMicroserviceOptions } from '../../src/backend/backend.module';
import { BackendSocket } from '../../src/backend/backend-socket';
import type { BackendKillJob, BackendNewJob } from '../../src/backend/backend.messages';
import { parseAgentConfig } from '../../src/config/agent-config';
import { EnvironmentCatalog } from '../../src/environments/environment-catalog.service';
import { JobsService } from '../../src/jobs/jobs.service';
import { decode, encode } from '../../src/msgpack/msgpack.codec';
import { REPO } from '../support/agent-process';
import { FakeBackend } from '../support/fake-backend';
import { fixtureBytes } from '../support/fixtures';

const SILENCE_MS = 3000; // the smallest the agent accepts
const fixtureHello = decode(fixtureBytes('backend', '001-agent-to-backend-AgentHello.msgpack')) as Record<string, unknown>;

describe('backend transport against a real ZeroMQ ROUTER', () => {
  let backend: FakeBackend;
  let app: INestMicroservice;
  // The transport is under test, not Jobs: the handlers' JobsService is a spy.
  const jobs = {
    start: vi.fn<(m: BackendNewJob) => void>(),
    kill: vi.fn<(m: BackendKillJob) => void>(),
    stopTakingJobs: vi.fn(),
  };
  const catalog = { current: vi.fn(async () => fixtureHello.available_environments) };

  beforeAll(async () => {
    backend = await FakeBackend.start();
    const config = parseAgentConfig({
      AGENT_BACKEND_ADDR: backend.address,
      AGENT_FRIENDLY_NAME: fixtureHello.friendly_name as string,
      AGENT_CONCURRENCY: String(fixtureHello.available_job_slots),
      AGENT_BACKEND_SILENCE_MS: String(SILENCE_MS),
      AGENT_LOG_LEVEL: 'error',
      AGENT_TMP_DIR: mkdtempSync(join(tmpdir(), 'backend-transport-')),
      AGENT_ID: `backend-transport-${process.pid}`,
    });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
      .overrideProvider(BackendSocket)
      .useValue(new BackendSocket(join(REPO, 'dist', 'backend', 'link-thread.worker.js')))
      .overrideProvider(EnvironmentCatalog)
      .useValue(catalog)
      .overrideProvider(JobsService)
      .useValue(jobs)
      .compile();
    app = moduleRef.createNestMicroservice(backendMicroserviceOptions());
    app.useLogger(app.get(Logger));
    await app.listen();
    await backend.waitFor('AgentHello');
    backend.startPinging(300);
  });

  afterAll(async () => {
    await app?.close();
    backend?.close();
  });

  it('says hello first, byte for byte what the Python agent says with the same facts', () => {
    const [hello] = backend.received;
    expect(hello.type).toBe('AgentHello');
    expect(hello.frames).toHaveLength(1);
    expect(hello.frames[0].toString('hex')).toBe(fixtureBytes('backend', '001-agent-to-backend-AgentHello.msgpack').toString('hex'));
    expect(Object.keys(hello.message!)).toEqual(Object.keys(fixtureHello));
    expect(catalog.current).toHaveBeenCalled();
  });

  it('answers a burst of 1000 pings with 1000 pongs', async () => {
    const since = backend.mark();
    const pingsBefore = backend.pingsSent;
    await Promise.all(Array.from({ length: 1000 }, () => backend.ping()));
    await backend.waitForCount('Pong', backend.pingsSent - pingsBefore, { since, timeoutMs: 10_000 });
    const pong = backend.received.find((m, i) => i >= since && m.type === 'Pong')!;
    expect(pong.frames[0].toString('hex')).toBe(fixtureBytes('backend', '004-agent-to-backend-Pong.msgpack').toString('hex'));
    expect(backend.count('Pong', since)).toBeGreaterThanOrEqual(1000);
  });

  it('drops garbage frames and still answers the next Ping', async () => {
    await backend.send(Buffer.from('definitely not msgpack'));
    await backend.send(encode(42));
    await backend.send(encode({ '@type': 'BackendSurprise' }));
    await backend.send(encode({ '@type': 'Ping', extra: 1 }));
    await backend.send(encode({ job_id: 'j', '@type': 'BackendKillJob' }));
    await backend.send([encode({ '@type': 'Ping' }), encode({ '@type': 'Ping' })]);
    backend.stopPinging();
    const since = backend.mark();
    await backend.ping();
    await backend.waitFor('Pong', { since });
    expect(jobs.kill).not.toHaveBeenCalled();
    backend.startPinging(300);
  });

  it('hands the captured BackendNewJob to JobsService with its bin upload intact', async () => {
    const bytes = fixtureBytes('backend', '007-backend-to-agent-BackendNewJob.msgpack');
    await backend.send(bytes);
    await vi.waitFor(() => expect(jobs.start).toHaveBeenCalledTimes(1));
    const job = jobs.start.mock.calls[0][0];
    expect(job).toEqual(decode(bytes));
    const upload = job.inputdata.upload as { filename: string; value: Uint8Array };
    expect(upload.value).toBeInstanceOf(Uint8Array);
    expect(upload.value).toHaveLength(300);
    expect(encode(job.inputdata).includes(Buffer.from(upload.value))).toBe(true);
  });

  it('hands the captured BackendKillJob to JobsService', async () => {
    await backend.send(fixtureBytes('backend', '017-backend-to-agent-BackendKillJob.msgpack'));
    await vi.waitFor(() => expect(jobs.kill).toHaveBeenCalledTimes(1));
    expect(jobs.kill.mock.calls[0][0]).toEqual(decode(fixtureBytes('backend', '017-backend-to-agent-BackendKillJob.msgpack')));
  });

  it('keeps its connection while the backend pings', async () => {
    const hellos = backend.count('AgentHello');
    await new Promise((r) => setTimeout(r, SILENCE_MS * 2));
    expect(backend.count('AgentHello')).toBe(hellos);
  });

  it('after a backend restart on the same port, reconnects and says hello again', async () => {
    const oldAgent = backend.agentId!;
    await backend.restart();
    const since = backend.mark();
    const hello = await backend.waitFor('AgentHello', { since, timeoutMs: SILENCE_MS * 4 });
    expect(hello).toEqual(fixtureHello);
    expect(backend.agentId!.equals(oldAgent)).toBe(false);
    const pongsSince = backend.mark();
    await backend.ping();
    await backend.waitFor('Pong', { since: pongsSince });
  });
});
