import { PassThrough } from 'node:stream';
import type { PinoLogger } from 'nestjs-pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DockerEvents } from './docker-events.service';
import type { DockerGateway } from './docker.gateway';
import type { ContainerEvent } from './docker.types';

const dieJson = (id: string, timeNano: bigint, exitCode = 0) =>
  `{"status":"die","id":"${id}","Type":"container","Action":"die","Actor":{"ID":"${id}","Attributes":{"exitCode":"${exitCode}"}},"time":${timeNano / 1_000_000_000n},"timeNano":${timeNano}}\n`;

/** A gateway whose event streams the test writes to; `sinces` records each opening's `since`. */
function fakeDocker(failures = 0) {
  const streams: PassThrough[] = [];
  const sinces: (string | undefined)[] = [];
  let toFail = failures;
  const gateway = {
    openContainerEventStream: vi.fn(async (since?: string) => {
      sinces.push(since);
      if (toFail-- > 0) throw new Error('docker is down');
      const stream = new PassThrough();
      streams.push(stream);
      return stream;
    }),
  };
  const logger = { info: vi.fn(), warn: vi.fn(), debug: vi.fn(), error: vi.fn() };
  const events = new DockerEvents(gateway as unknown as DockerGateway, logger as unknown as PinoLogger);
  const received: ContainerEvent[] = [];
  events.subscribe((e) => void received.push(e));
  return { events, gateway, streams, sinces, logger, received };
}

describe('DockerEvents', () => {
  let current: DockerEvents | undefined;
  afterEach(() => current?.onModuleDestroy());

  it('opens live on init and delivers events split across chunks and merged in one', async () => {
    const docker = fakeDocker();
    current = docker.events;
    await docker.events.onModuleInit();
    expect(docker.events.isAlive()).toBe(true);
    expect(docker.sinces).toEqual([undefined]);
    const text = dieJson('a', 1_000_000_000_000_000_001n, 3) + dieJson('b', 1_000_000_000_000_000_002n, 0);
    docker.streams[0].write(text.slice(0, 30));
    docker.streams[0].write(text.slice(30));
    await vi.waitFor(() => expect(docker.received).toHaveLength(2));
    expect(docker.received).toEqual([
      { kind: 'die', containerId: 'a', exitCode: 3, timeNano: 1_000_000_000_000_000_001n },
      { kind: 'die', containerId: 'b', exitCode: 0, timeNano: 1_000_000_000_000_000_002n },
    ]);
  });

  it('reopens a broken stream from the last event and delivers a re-delivered event only once', async () => {
    const docker = fakeDocker();
    current = docker.events;
    await docker.events.onModuleInit();
    docker.streams[0].write(dieJson('a', 1_795_831_219_676_964_142n));
    await vi.waitFor(() => expect(docker.received).toHaveLength(1));

    docker.streams[0].destroy();
    await vi.waitFor(() => expect(docker.events.isAlive()).toBe(false));
    await vi.waitFor(() => expect(docker.streams).toHaveLength(2));
    expect(docker.sinces[1]).toBe('1795831218.676964142');
    expect(docker.logger.warn).toHaveBeenCalledWith(expect.objectContaining({ since: '1795831218.676964142' }), expect.stringContaining('reopening'));

    docker.streams[1].write(dieJson('a', 1_795_831_219_676_964_142n) + dieJson('b', 1_795_831_219_900_000_000n, 3));
    await vi.waitFor(() => expect(docker.received).toHaveLength(2));
    expect(docker.received.map((e) => e.containerId)).toEqual(['a', 'b']);
    expect(docker.events.isAlive()).toBe(true);
  });

  it('before any event, resumes from the daemon clock of the first opening (its Date header)', async () => {
    const docker = fakeDocker();
    current = docker.events;
    docker.gateway.openContainerEventStream.mockImplementationOnce(async (since?: string) => {
      docker.sinces.push(since);
      const stream = Object.assign(new PassThrough(), { headers: { date: 'Sat, 28 Nov 2026 01:45:00 GMT' } });
      docker.streams.push(stream);
      return stream;
    });
    await docker.events.onModuleInit();
    docker.streams[0].destroy();
    await vi.waitFor(() => expect(docker.streams).toHaveLength(2));
    expect(docker.sinces[1]).toBe(`${Date.UTC(2026, 10, 28, 1, 45, 0) / 1000 - 1}.000000000`);
  });

  it('reopens after the stream ends normally too', async () => {
    const docker = fakeDocker();
    current = docker.events;
    await docker.events.onModuleInit();
    docker.streams[0].end();
    await vi.waitFor(() => expect(docker.streams).toHaveLength(2));
    expect(docker.sinces[1]).toMatch(/^\d+\.\d{9}$/);
  });

  it('waitOpen: true once Docker accepts again within the wait, false when it never does', async () => {
    const docker = fakeDocker(2);
    current = docker.events;
    expect(await docker.events.waitOpen(5_000)).toBe(true);
    expect(docker.gateway.openContainerEventStream).toHaveBeenCalledTimes(3);
    const down = fakeDocker(1_000);
    expect(await down.events.waitOpen(600)).toBe(false);
    down.events.onModuleDestroy();
  });

  it('tells onReopened listeners each time the stream opens again after a break, not at the first opening', async () => {
    const docker = fakeDocker();
    current = docker.events;
    const reopened = vi.fn();
    docker.events.onReopened(reopened);
    await docker.events.onModuleInit();
    expect(reopened).not.toHaveBeenCalled();
    docker.streams[0].destroy();
    await vi.waitFor(() => expect(docker.streams).toHaveLength(2));
    await vi.waitFor(() => expect(reopened).toHaveBeenCalledTimes(1));
    expect(docker.events.isAlive()).toBe(true);
  });

  it('retries with backoff when Docker refuses, and ensureOpen reports the refusal', async () => {
    const docker = fakeDocker(2);
    current = docker.events;
    await expect(docker.events.ensureOpen()).rejects.toThrow('docker is down');
    expect(docker.events.isAlive()).toBe(false);
    await vi.waitFor(() => expect(docker.events.isAlive()).toBe(true), { timeout: 2_000 });
    expect(docker.gateway.openContainerEventStream).toHaveBeenCalledTimes(3);
  });

  it('shares one opening between concurrent ensureOpen calls', async () => {
    const docker = fakeDocker();
    current = docker.events;
    await Promise.all([docker.events.ensureOpen(), docker.events.ensureOpen(), docker.events.ensureOpen()]);
    await docker.events.ensureOpen();
    expect(docker.gateway.openContainerEventStream).toHaveBeenCalledTimes(1);
  });

  it('keeps notifying the other listeners when one throws or rejects', async () => {
    const docker = fakeDocker();
    current = docker.events;
    docker.events.subscribe(() => {
      throw new Error('boom');
    });
    docker.events.subscribe(async () => Promise.reject(new Error('async boom')));
    const late: string[] = [];
    docker.events.subscribe((e) => void late.push(e.containerId));
    await docker.events.onModuleInit();
    docker.streams[0].write(dieJson('a', 5n) + dieJson('b', 6n));
    await vi.waitFor(() => expect(late).toEqual(['a', 'b']));
    expect(docker.received).toHaveLength(2);
    await vi.waitFor(() => expect(docker.logger.error).toHaveBeenCalledTimes(4));
    expect(docker.events.isAlive()).toBe(true);
  });

  it('stops delivering to an unsubscribed listener', async () => {
    const docker = fakeDocker();
    current = docker.events;
    const seen: string[] = [];
    const unsubscribe = docker.events.subscribe((e) => void seen.push(e.containerId));
    await docker.events.onModuleInit();
    docker.streams[0].write(dieJson('a', 5n));
    await vi.waitFor(() => expect(seen).toEqual(['a']));
    unsubscribe();
    docker.streams[0].write(dieJson('b', 6n));
    await vi.waitFor(() => expect(docker.received).toHaveLength(2));
    expect(seen).toEqual(['a']);
  });

  it('closes the stream on destroy and does not reopen it', async () => {
    const docker = fakeDocker();
    await docker.events.onModuleInit();
    docker.events.onModuleDestroy();
    expect(docker.streams[0].destroyed).toBe(true);
    expect(docker.events.isAlive()).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(docker.gateway.openContainerEventStream).toHaveBeenCalledTimes(1);
    await expect(docker.events.ensureOpen()).rejects.toThrow('stopped');
  });
});
