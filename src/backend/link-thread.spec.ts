import { describe, expect, it, vi } from 'vitest';
import { decode, encode } from '../msgpack/msgpack.codec';
import { type FromLinkThread, type LinkDealer, LinkThread } from './link-thread';

/** A DEALER whose sends complete when the test says so, and which refuses a second send in flight (zeromq v6). */
class ManualDealer implements LinkDealer {
  readonly sent: unknown[] = [];
  closed = false;
  private finishSend?: (error?: Error) => void;
  private readonly inbox: Buffer[][] = [];
  private wake?: () => void;

  send(frame: Uint8Array): Promise<void> {
    if (this.finishSend) throw new Error('EBUSY');
    this.sent.push(decode(frame));
    return new Promise((done, failed) => {
      this.finishSend = (error) => {
        this.finishSend = undefined;
        if (error) failed(error);
        else done();
      };
    });
  }

  /** Completes the send in flight. */
  finish(error?: Error): void {
    this.finishSend?.(error);
  }

  get sending(): boolean {
    return this.finishSend !== undefined;
  }

  deliver(...frames: Buffer[]): void {
    this.inbox.push(frames);
    this.wake?.();
  }

  async *messages(): AsyncIterable<Buffer[]> {
    while (!this.closed) {
      const next = this.inbox.shift();
      if (next) yield next;
      else await new Promise<void>((resume) => (this.wake = resume));
    }
    throw new Error('Socket is closed');
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  types(): unknown[] {
    return this.sent.map((m) => (m as Record<string, unknown>)['@type']);
  }
}

function linkThread(alive = true) {
  const dealer = new ManualDealer();
  const posted: FromLinkThread[] = [];
  let now = 1000;
  const eventLoopAlive = vi.fn(() => alive);
  const timers: Array<{ at: number; callback: () => void }> = [];
  const after = (ms: number, callback: () => void) => timers.push({ at: now + ms, callback });
  const thread = new LinkThread({ dealer, post: (message) => posted.push(message), eventLoopAlive, now: () => now, after });
  void thread.receive();
  const advance = (ms: number) => {
    now += ms;
    for (const timer of timers.filter((t) => t.at <= now)) {
      timers.splice(timers.indexOf(timer), 1);
      timer.callback();
    }
  };
  return { dealer, posted, thread, eventLoopAlive, advance };
}

const settle = () => new Promise((r) => setTimeout(r, 0));
const send = (id: number, message: Record<string, unknown>) => ({ kind: 'send' as const, id, frame: new Uint8Array(encode(message)) });

describe('LinkThread', () => {
  it('answers a Ping at once while the event loop is alive, ahead of the messages waiting to be sent', async () => {
    const { dealer, posted, thread, advance } = linkThread();
    thread.handle(send(1, { '@type': 'AgentJobDone', job_id: 'big' }));
    thread.handle(send(2, { '@type': 'AgentJobStarted', job_id: 'j2' }));
    dealer.deliver(encode({ '@type': 'Ping' }));
    await settle();
    expect(dealer.types()).toEqual(['AgentJobDone']); // already crossing: a Pong can only come after it
    advance(7);
    dealer.finish();
    await settle();
    expect(dealer.types()).toEqual(['AgentJobDone', 'Pong']);
    dealer.finish();
    await settle();
    expect(dealer.types()).toEqual(['AgentJobDone', 'Pong', 'AgentJobStarted']);
    dealer.finish();
    await settle();
    expect(posted).toEqual([{ kind: 'sent', id: 1 }, { kind: 'ponged', seconds: 0.007 }, { kind: 'sent', id: 2 }]);
  });

  it('holds a large message due to cross when the next Ping comes until that Ping is answered, then sends it', async () => {
    const { dealer, posted, thread, advance } = linkThread();
    const ping = async () => {
      dealer.deliver(encode({ '@type': 'Ping' }));
      await settle();
      dealer.finish();
      await settle();
    };
    await ping();
    advance(1000);
    await ping(); // one Ping a second
    advance(990);
    const large = new Uint8Array(encode({ '@type': 'AgentJobDone', job_id: 'big', text: 'x'.repeat(2 * 1024 * 1024) }));
    thread.handle({ kind: 'send', id: 1, frame: large });
    thread.handle(send(2, { '@type': 'AgentJobStarted', job_id: 'behind' }));
    await settle();
    expect(dealer.types()).toEqual(['Pong', 'Pong']); // both wait: the large one would cross when the Ping comes
    advance(20);
    await ping(); // within its grace
    expect(dealer.types()).toEqual(['Pong', 'Pong', 'Pong', 'AgentJobDone']);
    dealer.finish();
    await settle();
    dealer.finish();
    await settle();
    expect(dealer.types()).toEqual(['Pong', 'Pong', 'Pong', 'AgentJobDone', 'AgentJobStarted']);
    expect(posted.filter((m) => m.kind === 'sent')).toEqual([{ kind: 'sent', id: 1 }, { kind: 'sent', id: 2 }]);
  });

  it('sends a held message once the awaited Ping is late past its grace', async () => {
    const { dealer, thread, advance } = linkThread();
    for (const step of [0, 1000]) {
      advance(step);
      dealer.deliver(encode({ '@type': 'Ping' }));
      await settle();
      dealer.finish();
      await settle();
    }
    advance(990);
    thread.handle({ kind: 'send', id: 1, frame: new Uint8Array(encode({ '@type': 'AgentJobDone', text: 'x'.repeat(2 * 1024 * 1024) })) });
    await settle();
    expect(dealer.types()).toEqual(['Pong', 'Pong']);
    advance(59);
    await settle();
    expect(dealer.types()).toEqual(['Pong', 'Pong']);
    advance(1);
    await settle();
    expect(dealer.types()).toEqual(['Pong', 'Pong', 'AgentJobDone']);
  });

  it('hands a Ping to the event loop unanswered when the event loop has not turned lately', async () => {
    const { dealer, posted } = linkThread(false);
    dealer.deliver(encode({ '@type': 'Ping' }));
    await settle();
    expect(dealer.sent).toEqual([]);
    expect(posted).toHaveLength(1);
    const [message] = posted as Array<Extract<FromLinkThread, { kind: 'message' }>>;
    expect(message.kind).toBe('message');
    expect(decode(message.frames[0])).toEqual({ '@type': 'Ping' });
  });

  it('hands every other message over as its own copy of exactly its bytes, in its own memory', async () => {
    const { dealer, posted, eventLoopAlive } = linkThread();
    const pool = Buffer.alloc(64);
    const job = encode({ '@type': 'BackendKillJob', job_id: 'j', state: '' });
    job.copy(pool, 8);
    const inPool = pool.subarray(8, 8 + job.length);
    const large = Buffer.alloc(100, 0x81);
    dealer.deliver(inPool);
    dealer.deliver(large, encode({ '@type': 'Ping' }));
    await settle();
    const frames = (posted as Array<Extract<FromLinkThread, { kind: 'message' }>>).map((m) => m.frames);
    expect(frames.map((f) => f.map((frame) => frame.buffer.byteLength))).toEqual([[job.length], [100, encode({ '@type': 'Ping' }).length]]);
    expect(Buffer.from(frames[0][0]).equals(job)).toBe(true);
    expect(dealer.sent).toEqual([]); // a two-frame message is no Ping
    expect(eventLoopAlive).not.toHaveBeenCalled();
  });

  it('reports a failed send with its reason, and goes on with the next', async () => {
    const { dealer, posted, thread } = linkThread();
    thread.handle(send(1, { '@type': 'AgentJobStarted', job_id: 'a' }));
    thread.handle(send(2, { '@type': 'AgentJobStarted', job_id: 'b' }));
    await settle();
    dealer.finish(new Error('Host unreachable'));
    await settle();
    dealer.finish();
    await settle();
    expect(posted).toEqual([{ kind: 'sent', id: 1, error: 'Host unreachable' }, { kind: 'sent', id: 2 }]);
  });

  it('on close: closes the DEALER, sends nothing more, and reports the end (not a failure)', async () => {
    const { dealer, posted, thread } = linkThread();
    thread.handle({ kind: 'close' });
    thread.handle(send(1, { '@type': 'AgentJobStarted', job_id: 'a' }));
    await settle();
    expect(dealer.closed).toBe(true);
    expect(dealer.sent).toEqual([]);
    expect(posted).toEqual([{ kind: 'ended' }]);
  });

  it('reports a broken DEALER as a failure', async () => {
    const { dealer, posted } = linkThread();
    dealer.closed = true; // behind the thread's back
    dealer.deliver();
    await settle();
    expect(posted).toEqual([{ kind: 'failed', error: 'Socket is closed' }]);
  });
});
