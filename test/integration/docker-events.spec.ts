import type { Readable } from 'node:stream';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseAgentConfig } from '../../src/config/agent-config';
import { ConfigModule } from '../../src/config/config.module';
import { DockerEvents } from '../../src/docker/docker-events.service';
import { DockerGateway } from '../../src/docker/docker.gateway';
import { LABEL_AGENT_ID } from '../../src/docker/docker.labels';
import { DockerModule } from '../../src/docker/docker.module';
import type { ContainerCreateBody, ContainerEvent } from '../../src/docker/docker.types';
import { formatSince, RESUME_OVERLAP_NANOS } from '../../src/docker/event-resume-cursor';
import { ensureTestBaseImage, TEST_BASE_IMAGE, TEST_LABEL } from '../support/grading-test-images';
import { LoggingModule } from '../../src/logging/logging.module';

const AGENT_ID = `events-it-${process.pid}-${Date.now()}`;

function containerBody(script: string, agentId = AGENT_ID): ContainerCreateBody {
  return {
    Image: TEST_BASE_IMAGE,
    Cmd: ['sh', '-c', script],
    Labels: { [LABEL_AGENT_ID]: agentId, [TEST_LABEL]: '1' },
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    HostConfig: { Memory: 64 * 1024 * 1024, MemorySwap: 64 * 1024 * 1024, NetworkMode: 'none', Binds: [] },
  };
}

describe('DockerEvents against Docker', () => {
  let moduleRef: TestingModule;
  let gateway: DockerGateway;
  let events: DockerEvents;
  const received: ContainerEvent[] = [];
  const opened: Readable[] = [];
  /** the raw text each opened stream carried, to see what Docker re-sent */
  const rawText: string[] = [];
  const sinces: (string | undefined)[] = [];
  const created: string[] = [];
  /** while set, reopening the stream waits for it: lets a container die while the stream is down */
  let reopenGate: Promise<void> | undefined;

  const eventsOf = (id: string) => received.filter((e) => e.containerId === id);

  async function run(script: string, agentId?: string): Promise<string> {
    const id = await gateway.createContainer(containerBody(script, agentId));
    created.push(id);
    await gateway.start(id);
    return id;
  }

  async function exited(id: string): Promise<void> {
    await vi.waitFor(async () => expect((await gateway.inspect(id))?.running).toBe(false), { timeout: 20_000, interval: 50 });
  }

  beforeAll(async () => {
    ensureTestBaseImage();
    const config = parseAgentConfig({ AGENT_BACKEND_ADDR: 'tcp://127.0.0.1:2001', AGENT_ID, AGENT_LOG_LEVEL: 'warn' });
    moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot(config), LoggingModule.forRoot(), DockerModule] }).compile();
    gateway = moduleRef.get(DockerGateway);
    const open = gateway.openContainerEventStream.bind(gateway);
    vi.spyOn(gateway, 'openContainerEventStream').mockImplementation(async (since) => {
      await reopenGate;
      sinces.push(since);
      const stream = await open(since);
      const index = opened.push(stream) - 1;
      rawText[index] = '';
      stream.on('data', (chunk: Buffer) => (rawText[index] += chunk.toString()));
      return stream;
    });
    events = moduleRef.get(DockerEvents);
    events.subscribe((event) => void received.push(event));
    await moduleRef.init();
  });

  afterAll(async () => {
    await moduleRef?.close();
    await Promise.all(created.map((id) => gateway.remove(id)));
  });

  it('opens the stream when the module starts', () => {
    expect(events.isAlive()).toBe(true);
    expect(opened).toHaveLength(1);
  });

  it('delivers the die of one of our containers with its exit code', async () => {
    const id = await run('exit 3');
    await vi.waitFor(() => expect(eventsOf(id)).toHaveLength(1), { timeout: 20_000 });
    expect(eventsOf(id)[0]).toEqual({ kind: 'die', containerId: id, exitCode: 3, timeNano: expect.any(BigInt) });
  });

  it('does not deliver events of containers labelled for another agent', async () => {
    const foreign = await run('exit 0', `${AGENT_ID}-other`);
    await exited(foreign);
    const ours = await run('exit 0');
    await vi.waitFor(() => expect(eventsOf(ours)).toHaveLength(1), { timeout: 20_000 });
    expect(eventsOf(foreign)).toEqual([]);
  });

  it('after the connection is killed, delivers a death that happened while it was down, exactly once', async () => {
    const before = received.at(-1)!;
    let openGate!: () => void;
    reopenGate = new Promise((done) => (openGate = done));

    opened.at(-1)!.destroy();
    await vi.waitFor(() => expect(events.isAlive()).toBe(false));

    const id = await run('exit 7');
    await exited(id);
    expect(eventsOf(id)).toEqual([]);

    openGate();
    reopenGate = undefined;
    await vi.waitFor(() => expect(eventsOf(id)).toHaveLength(1), { timeout: 20_000 });
    expect(eventsOf(id)[0]).toMatchObject({ kind: 'die', exitCode: 7 });
    expect(events.isAlive()).toBe(true);
    expect(opened).toHaveLength(2);
    expect(sinces.at(-1)).toBe(formatSince(before.timeNano - RESUME_OVERLAP_NANOS));

    // Docker re-sent the earlier death from the overlap; it must not be delivered twice
    await new Promise((done) => setTimeout(done, 1_500));
    expect(rawText[1]).toContain(before.containerId);
    const keys = received.map((e) => `${e.containerId}/${e.kind}/${e.timeNano}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(eventsOf(id)).toHaveLength(1);
    expect(eventsOf(before.containerId)).toHaveLength(1);
  });

  it('ensureOpen reopens at once after a break', async () => {
    opened.at(-1)!.destroy();
    await vi.waitFor(() => expect(events.isAlive()).toBe(false));
    await events.ensureOpen();
    expect(events.isAlive()).toBe(true);
    const id = await run('exit 0');
    await vi.waitFor(() => expect(eventsOf(id)).toHaveLength(1), { timeout: 20_000 });
  });
});
