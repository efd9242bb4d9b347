import type { PinoLogger } from 'nestjs-pino';
import { describe, expect, it, vi } from 'vitest';
import { decode } from '../msgpack/msgpack.codec';
import type { AgentMessage } from './backend.messages';
import { BackendSender } from './backend-sender';
import type { BackendConnection, LinkEvent } from './backend-socket';
import { Timers } from './timers';

const hello: AgentMessage = { friendly_name: 'a', available_job_slots: 1, available_environments: {}, '@type': 'AgentHello' };
const started = (jobId: string): AgentMessage => ({ job_id: jobId, '@type': 'AgentJobStarted' });

/** A socket that, like zeromq v6, refuses a second send while one is in flight. */
class RecordingConnection implements BackendConnection {
  readonly sent: unknown[] = [];
  private inFlight = false;

  constructor(private readonly behaviour: (frame: Uint8Array) => Promise<void> = () => new Promise((r) => setTimeout(r, 1))) {}

  async send(frame: Uint8Array): Promise<void> {
    if (this.inFlight) throw new Error('EBUSY');
    this.inFlight = true;
    try {
      await this.behaviour(frame);
      this.sent.push(decode(frame));
    } finally {
      this.inFlight = false;
    }
  }

  async *events(): AsyncIterable<LinkEvent> {}

  async close(): Promise<void> {}

  types(): string[] {
    return this.sent.map((m) => (m as { '@type': string; job_id?: string }).job_id ?? (m as { '@type': string })['@type']);
  }
}

function sender(): { sender: BackendSender; logger: { warn: ReturnType<typeof vi.fn>; error: ReturnType<typeof vi.fn> } } {
  const logger = { warn: vi.fn(), error: vi.fn(), info: vi.fn() };
  return { sender: new BackendSender(new Timers(), logger as unknown as PinoLogger), logger };
}

describe('BackendSender', () => {
  it('sends in call order, one at a time, with the hello first', async () => {
    const { sender: s } = sender();
    const connection = new RecordingConnection();
    const sends = ['j1', 'j2', 'j3'].map((id) => s.send(started(id)));
    s.attach(connection, hello);
    sends.push(s.send(started('j4')));
    await Promise.all(sends);
    expect(connection.types()).toEqual(['AgentHello', 'j1', 'j2', 'j3', 'j4']);
  });

  it('holds messages while detached and sends the new hello before them', async () => {
    const { sender: s } = sender();
    const first = new RecordingConnection();
    s.attach(first, hello);
    await s.send(started('before'));
    s.detach();
    const held = s.send(started('during'));
    const second = new RecordingConnection();
    s.attach(second, hello);
    await held;
    expect(first.types()).toEqual(['AgentHello', 'before']);
    expect(second.types()).toEqual(['AgentHello', 'during']);
  });

  it('logs a failed send and keeps going with the next messages, never rejecting', async () => {
    const { sender: s, logger } = sender();
    const connection = new RecordingConnection(async (frame) => {
      if ((decode(frame) as { job_id?: string }).job_id === 'bad') throw new Error('socket closed');
    });
    s.attach(connection, hello);
    await expect(Promise.all([s.send(started('bad')), s.send(started('good'))])).resolves.toBeDefined();
    expect(connection.types()).toEqual(['AgentHello', 'good']);
    expect(logger.warn).toHaveBeenCalledWith(expect.objectContaining({ type: 'AgentJobStarted' }), expect.stringContaining('message lost'));
  });

  it('logs a message that cannot be encoded, and still sends the others', async () => {
    const { sender: s, logger } = sender();
    const connection = new RecordingConnection();
    s.attach(connection, hello);
    const unencodable = { job_id: 'x', '@type': 'AgentJobStarted', bad: Symbol('x') } as unknown as AgentMessage;
    await s.send(unencodable);
    await s.send(started('ok'));
    expect(connection.types()).toEqual(['AgentHello', 'ok']);
    expect(logger.error).toHaveBeenCalledTimes(1);
  });

  it('on close lets queued messages out, then refuses new ones', async () => {
    const { sender: s } = sender();
    const connection = new RecordingConnection();
    s.attach(connection, hello);
    const queued = [s.send(started('a')), s.send(started('b'))];
    await s.close(1_000);
    await Promise.all(queued);
    await s.send(started('late'));
    expect(connection.types()).toEqual(['AgentHello', 'a', 'b']);
  });

  it('on close drops what cannot go out within the grace time, resolving every caller', async () => {
    const { sender: s, logger } = sender();
    const stuck = new RecordingConnection(() => new Promise(() => undefined));
    s.attach(stuck, hello);
    const queued = s.send(started('never'));
    await s.close(20);
    await expect(queued).resolves.toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith({ dropped: ['AgentJobStarted'] }, expect.any(String));
  });
});
