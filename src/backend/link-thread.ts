import { encode } from '../msgpack/msgpack.codec';
import { parseBackendFrame } from './backend-frame.parser';
import { PingRhythm } from './ping-rhythm';

/** From the event loop to the link's thread. */
export type ToLinkThread = { kind: 'send'; id: number; frame: Uint8Array } | { kind: 'close' };

/** From the link's thread to the event loop. */
export type FromLinkThread =
  | { kind: 'message'; frames: Uint8Array[] }
  | { kind: 'ponged'; seconds: number }
  /** The thread's nice value at start; `error`: why the one asked for was refused. */
  | { kind: 'priority'; nice: number; error?: string }
  | { kind: 'sent'; id: number; error?: string }
  | { kind: 'failed'; error: string }
  | { kind: 'ended' };

/** The DEALER as the link's thread uses it. */
export interface LinkDealer {
  send(frame: Uint8Array): Promise<void>;
  messages(): AsyncIterable<Buffer[]>;
  close(): void;
}

export interface LinkThreadPorts {
  dealer: LinkDealer;
  post(message: FromLinkThread, transfer?: ArrayBuffer[]): void;
  /** Whether the event loop turned recently enough that a Pong still tells the truth about the agent. */
  eventLoopAlive(): boolean;
  /** Milliseconds, monotonic. */
  now(): number;
  /** Calls `callback` once after `ms`. */
  after(ms: number, callback: () => void): void;
}

const PONG = encode({ '@type': 'Pong' });
// A Ping is a map of one short string; anything longer is handed to the event loop unread.
const PING_MAX_BYTES = 32;

/**
 * What runs in the backend link's own thread: the DEALER, its one send at a time, and the Pongs. A Ping is answered
 * here, ahead of every message waiting to be sent, as long as the event loop is alive; so a Pong never waits for the
 * event loop (whatever a container makes it do), only for a message already crossing the connection. A Ping that
 * arrives while the event loop is stalled is handed to it like any message, and answered there once it runs again.
 * A large message is timed so that it has crossed before the next Ping is due (see PingRhythm).
 */
export class LinkThread {
  private readonly pings: number[] = [];
  private readonly rhythm = new PingRhythm();
  private readonly waiting: Array<{ id: number; frame: Uint8Array }> = [];
  private sending = false;
  private closed = false;

  constructor(private readonly ports: LinkThreadPorts) {}

  async receive(): Promise<void> {
    try {
      for await (const frames of this.ports.dealer.messages()) this.received(frames);
      this.ports.post({ kind: 'ended' });
    } catch (error) {
      this.ports.post(this.closed ? { kind: 'ended' } : { kind: 'failed', error: error instanceof Error ? error.message : String(error) });
    }
  }

  handle(message: ToLinkThread): void {
    if (message.kind === 'close') {
      this.closed = true;
      this.ports.dealer.close();
      return;
    }
    this.waiting.push(message);
    void this.pump();
  }

  private received(frames: Buffer[]): void {
    if (isPing(frames) && this.ports.eventLoopAlive()) {
      const arrived = this.ports.now();
      this.pings.push(arrived);
      this.rhythm.pinged(arrived);
      void this.pump();
      return;
    }
    // fresh memory of exactly each frame's bytes, moved to the event loop without a second copy
    const copies = frames.map((frame) => new Uint8Array(frame));
    this.ports.post({ kind: 'message', frames: copies }, copies.map((copy) => copy.buffer));
  }

  private async pump(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    while (!this.closed && (this.pings.length > 0 || this.waiting.length > 0)) {
      const arrived = this.pings.shift();
      if (arrived !== undefined) {
        await this.pong(arrived);
        continue;
      }
      const holdMs = this.rhythm.holdFor(this.waiting[0].frame.byteLength, this.ports.now());
      if (holdMs > 0) {
        this.ports.after(holdMs, () => void this.pump()); // or sooner: the Ping it waits for
        break;
      }
      await this.sendWaiting(this.waiting.shift()!);
    }
    this.sending = false;
  }

  private async pong(arrived: number): Promise<void> {
    try {
      await this.ports.dealer.send(PONG);
      this.ports.post({ kind: 'ponged', seconds: (this.ports.now() - arrived) / 1000 });
    } catch {
      // the connection is going away; the backend's silence check (and ours) handle that
    }
  }

  private async sendWaiting(message: { id: number; frame: Uint8Array }): Promise<void> {
    try {
      await this.ports.dealer.send(message.frame);
      this.ports.post({ kind: 'sent', id: message.id });
    } catch (error) {
      this.ports.post({ kind: 'sent', id: message.id, error: error instanceof Error ? error.message : String(error) });
    }
  }
}

function isPing(frames: Buffer[]): boolean {
  if (frames.length !== 1 || frames[0].length > PING_MAX_BYTES) return false;
  const parsed = parseBackendFrame(frames);
  return parsed.ok && parsed.message['@type'] === 'Ping';
}
