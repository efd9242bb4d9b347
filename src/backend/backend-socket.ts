import { on } from 'node:events';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Injectable, Optional } from '@nestjs/common';
import type { FromLinkThread, ToLinkThread } from './link-thread';
import type { LinkThreadData } from './link-thread.worker';

/**
 * What the link reports: one ZeroMQ message (its frames), a Ping it answered itself and how long that took, or (once,
 * at start) the priority its thread runs at and why the one asked for was refused.
 */
export type LinkEvent = { frames: Buffer[] } | { pongSeconds: number } | { nice: number; refused?: string };

/** One DEALER connected to the backend. At most one send() in flight at a time (zeromq v6 rule); the caller serialises. */
export interface BackendConnection {
  /** `movable`: the frame's memory may be handed over without a copy (the caller never reads it again). */
  send(frame: Uint8Array, movable?: boolean): Promise<void>;
  /** Read once. Ends when the connection is closed; throws when the link fails. */
  events(): AsyncIterable<LinkEvent>;
  /** Resolves once what was handed to the socket has been flushed (bounded) and the link is gone. */
  close(): Promise<void>;
}

// Bounded so that a close on shutdown flushes what is queued without hanging when the backend is gone.
const LINGER_MS = 1000;
const CLOSE_WAIT_MS = LINGER_MS + 1000;
// How long a process exit waits for the thread to close its DEALER (a thread stopped with it open aborts the process).
const EXIT_WAIT_MS = 2000;
const EVENT_LOOP_BEAT_MS = 100;
// Past this without a turn of the event loop, the link's thread stops answering Pings: a Pong must mean the agent runs.
const EVENT_LOOP_STALE_MS = 1000;
const WORKER_FILE = join(__dirname, 'link-thread.worker.js');

/** The DEALER runs in its own thread (see LinkThread); this is the event loop's side of it. */
class ThreadedBackendConnection implements BackendConnection {
  private readonly beat = new BigInt64Array(new SharedArrayBuffer(8));
  private readonly dealerClosed = new Int32Array(new SharedArrayBuffer(4));
  private readonly closeAtExit = () => this.closeBeforeExit();
  private readonly beating: NodeJS.Timeout;
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private readonly pending = new Map<number, { sent: () => void; failed: (error: Error) => void }>();
  private lastId = 0;
  private gone = false;
  private closing?: Promise<void>;

  constructor(address: string, nice: number, workerFile: string) {
    this.beatNow();
    this.beating = setInterval(() => this.beatNow(), EVENT_LOOP_BEAT_MS).unref();
    const workerData: LinkThreadData = {
      address,
      nice,
      lingerMs: LINGER_MS,
      eventLoopBeat: this.beat.buffer as SharedArrayBuffer,
      staleAfterMs: EVENT_LOOP_STALE_MS,
      dealerClosed: this.dealerClosed.buffer as SharedArrayBuffer,
    };
    this.worker = new Worker(workerFile, { workerData });
    this.worker.on('message', (message: FromLinkThread) => this.settle(message));
    this.worker.on('error', () => undefined); // reported through events()
    this.exited = new Promise((done) => this.worker.once('exit', () => done()));
    process.on('exit', this.closeAtExit);
    void this.exited.then(() => {
      process.off('exit', this.closeAtExit);
      this.stopped(new Error('the backend link thread has stopped'));
    });
  }

  send(frame: Uint8Array, movable = false): Promise<void> {
    if (this.gone) return Promise.reject(new Error('the backend link is closed'));
    const whole = movable && frame.buffer instanceof ArrayBuffer && frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength;
    const handed = whole ? frame : new Uint8Array(frame);
    const id = ++this.lastId;
    return new Promise((sent, failed) => {
      this.pending.set(id, { sent, failed });
      const message: ToLinkThread = { kind: 'send', id, frame: handed };
      this.worker.postMessage(message, [handed.buffer as ArrayBuffer]);
    });
  }

  async *events(): AsyncIterable<LinkEvent> {
    for await (const [message] of on(this.worker, 'message', { close: ['exit'] }) as AsyncIterable<[FromLinkThread]>) {
      if (message.kind === 'message') yield { frames: message.frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength)) };
      else if (message.kind === 'ponged') yield { pongSeconds: message.seconds };
      else if (message.kind === 'priority') yield { nice: message.nice, refused: message.error };
      else if (message.kind === 'failed') throw new Error(message.error);
      else if (message.kind === 'ended') return;
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    clearInterval(this.beating);
    this.stopped(new Error('the backend link is closed'));
    this.postClose();
    // never worker.terminate(): stopping the thread with its socket open aborts the process; past the wait, the exit
    // hook still closes it before the process ends
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise((done) => (timer = setTimeout(done, CLOSE_WAIT_MS)))]);
    clearTimeout(timer);
  }

  /** On process exit (whatever the cause), the thread still running: its DEALER is closed first, synchronously. */
  private closeBeforeExit(): void {
    this.postClose();
    Atomics.wait(this.dealerClosed, 0, 0, EXIT_WAIT_MS);
  }

  private postClose(): void {
    const close: ToLinkThread = { kind: 'close' };
    this.worker.postMessage(close);
  }

  private settle(message: FromLinkThread): void {
    if (message.kind !== 'sent') return;
    const waiter = this.pending.get(message.id);
    this.pending.delete(message.id);
    if (message.error === undefined) waiter?.sent();
    else waiter?.failed(new Error(message.error));
  }

  private stopped(reason: Error): void {
    this.gone = true;
    for (const waiter of this.pending.values()) waiter.failed(reason);
    this.pending.clear();
  }

  private beatNow(): void {
    Atomics.store(this.beat, 0, BigInt(Date.now()));
  }
}

/** The only place that touches zeromq for the backend link: a fresh DEALER, in its own thread, per connection. */
@Injectable()
export class BackendSocket {
  /** `workerFile`: the built link thread (tests running from the sources give dist's). */
  constructor(@Optional() private readonly workerFile: string = WORKER_FILE) {}

  /** The connection itself completes (and reconnects) in the background. `nice`: its thread's priority. */
  connect(address: string, nice: number): BackendConnection {
    return new ThreadedBackendConnection(address, nice, this.workerFile);
  }
}
