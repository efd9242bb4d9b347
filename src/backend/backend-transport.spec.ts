import type { PinoLogger } from 'nestjs-pino';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentConfig } from '../config/agent-config';
import { decode, encode } from '../msgpack/msgpack.codec';
import type { AgentHelloComposer } from './agent-hello-composer';
import type { AgentHello } from './backend.messages';
import { BackendSender } from './backend-sender';
import type { BackendConnection, BackendSocket, LinkEvent } from './backend-socket';
import { BackendTransport } from './backend-transport';
import { HeartbeatWatchdog } from './heartbeat-watchdog';
import { Timers } from './timers';
import { Telemetry } from '../telemetry/telemetry';

/** An in-memory DEALER: the test pushes frames in, reads what the agent sent. */
class FakeConnection implements BackendConnection {
  readonly sent: Array<Record<string, unknown>> = [];
  closed = false;
  private readonly inbox: LinkEvent[] = [];
  private wake?: () => void;

  deliver(...frames: Buffer[]): void {
    this.inbox.push({ frames });
    this.wake?.();
  }

  /** The link answered a Ping itself. */
  ponged(seconds: number): void {
    this.inbox.push({ pongSeconds: seconds });
    this.wake?.();
  }

  /** The link's thread says what priority it runs at. */
  prioritised(nice: number, refused?: string): void {
    this.inbox.push({ nice, refused });
    this.wake?.();
  }

  async send(frame: Uint8Array): Promise<void> {
    this.sent.push(decode(frame) as Record<string, unknown>);
  }

  async *events(): AsyncIterable<LinkEvent> {
    while (!this.closed) {
      const next = this.inbox.shift();
      if (next) yield next;
      else await new Promise<void>((resume) => (this.wake = resume));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
  }

  types(): unknown[] {
    return this.sent.map((m) => m['@type']);
  }
}

class FakeSocket {
  readonly connections: FakeConnection[] = [];
  readonly addresses: string[] = [];
  readonly nices: number[] = [];

  connect(address: string, nice: number): BackendConnection {
    this.addresses.push(address);
    this.nices.push(nice);
    const connection = new FakeConnection();
    this.connections.push(connection);
    return connection;
  }
}

class ManualTimers extends Timers {
  private readonly pending = new Set<() => void>();
  armed = 0;

  override after(_ms: number, callback: () => void): () => void {
    this.armed++;
    this.pending.add(callback);
    return () => this.pending.delete(callback);
  }

  fireAll(): void {
    const due = [...this.pending];
    this.pending.clear();
    for (const callback of due) callback();
  }
}

const HELLO: AgentHello = {
  friendly_name: 'test-agent',
  available_job_slots: 2,
  available_environments: {},
  '@type': 'AgentHello',
};

const until = (check: () => boolean) => vi.waitFor(() => expect(check()).toBe(true), { timeout: 1_000, interval: 2 });

describe('BackendTransport', () => {
  let socket: FakeSocket;
  let timers: ManualTimers;
  let log: { info: ReturnType<typeof vi.fn>; warn: ReturnType<typeof vi.fn>; error: ReturnType<typeof vi.fn> };
  let transport: BackendTransport;
  let compose: ReturnType<typeof vi.fn>;

  beforeEach(() => {
    socket = new FakeSocket();
    timers = new ManualTimers();
    log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const logger = log as unknown as PinoLogger;
    const config = { backendAddress: 'tcp://127.0.0.1:2001', backendSilenceMs: 10_000, backendLinkNice: -10 } as AgentConfig;
    compose = vi.fn(async () => HELLO);
    transport = new BackendTransport(
      config,
      socket as unknown as BackendSocket,
      new BackendSender(timers, logger),
      { compose } as unknown as AgentHelloComposer,
      new HeartbeatWatchdog(config, timers),
      logger,
    );
  });

  async function listening(): Promise<FakeConnection> {
    const listened = vi.fn();
    transport.listen(listened);
    expect(listened).toHaveBeenCalledWith();
    const connection = socket.connections[0];
    await until(() => connection.sent.length === 1);
    return connection;
  }

  it('connects to the configured address and says hello first', async () => {
    const connection = await listening();
    expect(socket.addresses).toEqual(['tcp://127.0.0.1:2001']);
    expect(connection.sent[0]).toEqual(HELLO);
  });

  it('hands a valid message to the handler of its @type', async () => {
    const kill = vi.fn();
    transport.addHandler('BackendKillJob', kill, true);
    const connection = await listening();
    connection.deliver(encode({ job_id: 'j1', state: 'st', '@type': 'BackendKillJob' }));
    await until(() => kill.mock.calls.length === 1);
    expect(kill.mock.calls[0][0]).toEqual({ job_id: 'j1', state: 'st', '@type': 'BackendKillJob' });
  });

  it('drops every kind of malformed frame with one warning each, and still handles the next message', async () => {
    const ping = vi.fn();
    transport.addHandler('Ping', ping, true);
    const connection = await listening();
    const garbage = [
      [Buffer.from('not msgpack at all')],
      [encode(7)],
      [encode({ '@type': 'Nope' })],
      [encode({ '@type': 'Ping', extra: true })],
      [encode({ job_id: 'j', '@type': 'BackendKillJob' })],
      [encode({ job_id: 1, state: 's', '@type': 'BackendKillJob' })],
      [encode({ '@type': 'Ping' }), encode({ '@type': 'Ping' })],
    ];
    for (const frames of garbage) connection.deliver(...frames);
    connection.deliver(encode({ '@type': 'Ping' }));
    await until(() => ping.mock.calls.length === 1);
    expect(log.warn).toHaveBeenCalledTimes(garbage.length);
    for (const [fields, message] of log.warn.mock.calls) {
      expect(message).toBe('dropped a malformed message from the backend');
      expect(fields).toEqual({ problem: expect.any(String), bytes: expect.any(Number) });
    }
  });

  it('drops a valid message that no handler takes', async () => {
    const connection = await listening();
    connection.deliver(encode({ job_id: 'j', state: 's', '@type': 'BackendKillJob' }));
    await until(() => log.warn.mock.calls.length === 1);
    expect(log.warn).toHaveBeenCalledWith({ type: 'BackendKillJob' }, expect.any(String));
  });

  it('survives a handler that throws or rejects', async () => {
    const pings: number[] = [];
    transport.addHandler('Ping', async () => {
      pings.push(pings.length);
      if (pings.length === 1) throw new Error('boom');
    }, true);
    const connection = await listening();
    connection.deliver(encode({ '@type': 'Ping' }));
    connection.deliver(encode({ '@type': 'Ping' }));
    await until(() => pings.length === 2);
    await until(() => log.error.mock.calls.length === 1);
    expect(log.error.mock.calls[0][0]).toMatchObject({ type: 'Ping' });
  });

  it('after the silence: logs why, closes the socket, opens a new one and says hello again', async () => {
    const first = await listening();
    timers.fireAll();
    expect(first.closed).toBe(true);
    expect(socket.connections).toHaveLength(2);
    const second = socket.connections[1];
    await until(() => second.sent.length === 1);
    expect(second.sent[0]).toEqual(HELLO);
    expect(compose).toHaveBeenCalledTimes(2);
    expect(log.warn).toHaveBeenCalledWith({ silenceMs: 10_000 }, 'no message from the backend for too long: reconnecting');
  });

  it('restarts the silence count at every frame, even a malformed one', async () => {
    const connection = await listening();
    await until(() => timers.armed === 1);
    connection.deliver(Buffer.from('garbage'));
    connection.deliver(encode({ '@type': 'Ping' }));
    await until(() => timers.armed === 3);
    expect(connection.closed).toBe(false);
  });

  it('takes a Ping the link answered itself as a message from the backend, and records its Pong time', async () => {
    const pongs: number[] = [];
    (transport as unknown as { telemetry: Telemetry }).telemetry.on('backend.pong', (signal) => pongs.push(signal.seconds));
    const ping = vi.fn();
    transport.addHandler('Ping', ping, true);
    const connection = await listening();
    await until(() => timers.armed === 1);
    connection.ponged(0.002);
    await until(() => timers.armed === 2);
    expect(pongs).toEqual([0.002]);
    expect(ping).not.toHaveBeenCalled();
  });

  it("opens the link at the configured priority and logs the priority its thread got, which is no backend message", async () => {
    const connection = await listening();
    expect(socket.nices).toEqual([-10]);
    await until(() => timers.armed === 1);
    connection.prioritised(-10);
    connection.prioritised(0, 'EACCES: permission denied');
    await until(() => log.warn.mock.calls.length === 1);
    expect(log.info).toHaveBeenCalledWith({ nice: -10 }, 'backend link thread priority set');
    expect(log.warn.mock.calls[0][0]).toEqual({ wanted: -10, nice: 0, reason: 'EACCES: permission denied' });
    expect(log.warn.mock.calls[0][1]).toContain('CAP_SYS_NICE');
    expect(timers.armed).toBe(1); // the silence count did not restart
  });

  it('reports a bad address to listen()', () => {
    const failing = { connect: () => { throw new Error('Invalid address'); } };
    const config = { backendAddress: 'nope', backendSilenceMs: 10 } as AgentConfig;
    const logger = log as unknown as PinoLogger;
    const broken = new BackendTransport(config, failing as unknown as BackendSocket, new BackendSender(timers, logger), { compose } as unknown as AgentHelloComposer, new HeartbeatWatchdog(config, timers), logger);
    const listened = vi.fn();
    broken.listen(listened);
    expect(listened).toHaveBeenCalledWith(expect.objectContaining({ message: 'Invalid address' }));
  });

  it('on close stops the watchdog and closes the socket for good', async () => {
    const connection = await listening();
    await transport.close();
    expect(connection.closed).toBe(true);
    timers.fireAll();
    expect(socket.connections).toHaveLength(1);
  });

  it('does not say hello on a connection closed while the hello was being composed', async () => {
    let release: (hello: AgentHello) => void = () => undefined;
    compose.mockImplementationOnce(() => new Promise<AgentHello>((resolve) => (release = resolve)));
    transport.listen(vi.fn());
    await transport.close();
    release(HELLO);
    await new Promise((r) => setTimeout(r, 10));
    expect(socket.connections[0].sent).toEqual([]);
  });
});
