import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { encode } from '../msgpack/msgpack.codec';
import type { AgentMessage } from './backend.messages';
import type { BackendConnection } from './backend-socket';
import { Timers } from './timers';

interface Outgoing {
  type: AgentMessage['@type'];
  frame: Uint8Array;
  /** handed over without a copy: nobody reads it after the send */
  movable: boolean;
  sent: () => void;
}

/**
 * The one way to send to the backend. Messages leave in call order, one send in flight at a time. While the link is
 * down (before the first hello, during a reconnect) they wait, and the transport's hello goes out ahead of them.
 * Never rejects: socket trouble is logged, the message is lost, and later messages still go out.
 */
@Injectable()
export class BackendSender {
  private readonly waiting: Outgoing[] = [];
  private readonly idleWaiters: Array<() => void> = [];
  private connection?: BackendConnection;
  private pumping = false;
  private closed = false;

  constructor(
    private readonly timers: Timers,
    @InjectPinoLogger(BackendSender.name) private readonly logger: PinoLogger,
  ) {}

  /** Resolves once the message is handed to the socket (or given up on, with a log line). */
  send(message: AgentMessage): Promise<void> {
    const frame = this.encoded(message);
    return frame ? this.queue(message['@type'], frame, false) : Promise.resolve();
  }

  /**
   * As send, for a message already encoded (a large AgentJobDone is encoded in a worker thread). The frame is handed
   * over: the caller must not read it afterwards.
   */
  sendEncoded(type: AgentMessage['@type'], frame: Uint8Array): Promise<void> {
    return this.queue(type, frame, true);
  }

  /** The link is up on `connection`: `first` (the hello) is sent before everything that waited. */
  attach(connection: BackendConnection, first: AgentMessage): void {
    if (this.closed) return;
    this.connection = connection;
    const frame = this.encoded(first);
    if (frame) this.waiting.unshift({ type: first['@type'], frame, movable: false, sent: () => undefined });
    void this.pump();
  }

  /** The link is down: hold messages until the next attach. */
  detach(): void {
    this.connection = undefined;
  }

  /** Gives queued messages up to `graceMs` to reach the socket, then drops the rest; later sends are refused. */
  async close(graceMs: number): Promise<void> {
    this.closed = true;
    if (this.connection && (this.pumping || this.waiting.length > 0)) {
      let cancel = (): void => undefined;
      await new Promise<void>((done) => {
        this.idleWaiters.push(done);
        cancel = this.timers.after(graceMs, done);
      });
      cancel();
    }
    this.connection = undefined;
    const dropped = this.waiting.splice(0);
    if (dropped.length > 0) this.logger.warn({ dropped: dropped.map((m) => m.type) }, 'backend link closed with messages unsent');
    for (const message of dropped) message.sent();
  }

  private queue(type: AgentMessage['@type'], frame: Uint8Array, movable: boolean): Promise<void> {
    if (this.closed) {
      this.logger.warn({ type }, 'backend link closed: message not sent');
      return Promise.resolve();
    }
    return new Promise((sent) => {
      this.waiting.push({ type, frame, movable, sent });
      void this.pump();
    });
  }

  private encoded(message: AgentMessage): Buffer | undefined {
    try {
      return encode(message);
    } catch (error) {
      this.logger.error({ err: error, type: message['@type'] }, 'could not encode a message for the backend');
      return undefined;
    }
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    while (this.connection && this.waiting.length > 0) {
      const connection = this.connection;
      const next = this.waiting.shift()!;
      try {
        await connection.send(next.frame, next.movable);
      } catch (error) {
        this.logger.warn({ err: error, type: next.type }, 'could not send to the backend: message lost');
      }
      next.sent();
    }
    this.pumping = false;
    if (this.waiting.length === 0) for (const idle of this.idleWaiters.splice(0)) idle();
  }
}
