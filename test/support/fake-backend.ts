import { Router } from 'zeromq';
import { decode, encode, isPlainMap } from '../../src/msgpack/msgpack.codec';

/** One message the agent sent, as the backend saw it. */
export interface ReceivedMessage {
  /** the decoded map, or undefined when the frame was not a msgpack map */
  message: Record<string, unknown> | undefined;
  type: string | undefined;
  /** the payload frames exactly as on the wire (one for a well-behaved agent) */
  frames: Buffer[];
  routingId: Buffer;
}

export interface WaitOptions {
  timeoutMs?: number;
  /** only messages received at or after this index (see `mark()`) */
  since?: number;
  where?: (message: Record<string, unknown>) => boolean;
}

/**
 * Plays the INGInious backend in tests: a ZeroMQ ROUTER bound on a random loopback port. It records everything the
 * agent sends (decoded), sends messages to the agent's routing id, can ping like the real backend, and can be
 * restarted on the same port to look like a backend restart.
 */
export class FakeBackend {
  readonly received: ReceivedMessage[] = [];
  pingsSent = 0;
  private router: Router;
  private sending: Promise<void> = Promise.resolve();
  private listeners = new Set<() => void>();
  private pinger?: NodeJS.Timeout;
  private agent?: Buffer;

  private constructor(
    router: Router,
    readonly address: string,
  ) {
    this.router = router;
    void this.receive(router);
  }

  static async start(): Promise<FakeBackend> {
    const router = new Router({ linger: 0 });
    await router.bind('tcp://127.0.0.1:*');
    return new FakeBackend(router, router.lastEndpoint!);
  }

  /** The routing id of the agent that said hello last (where messages go by default). */
  get agentId(): Buffer | undefined {
    return this.agent;
  }

  /** Index of the next message to arrive: pass as `since` to wait only for later ones. */
  mark(): number {
    return this.received.length;
  }

  count(type: string, since = 0): number {
    return this.received.slice(since).filter((m) => m.type === type).length;
  }

  /** Encodes and sends a message (an object with `@type`) or raw frames to the agent. Sends are serialised. */
  send(message: Record<string, unknown> | Buffer | Buffer[], to?: Buffer): Promise<void> {
    const routingId = to ?? this.agent;
    if (!routingId) return Promise.reject(new Error('no agent has said hello yet'));
    const frames = Array.isArray(message) ? message : [Buffer.isBuffer(message) ? message : encode(message)];
    const router = this.router;
    const sent = this.sending.then(() => router.send([routingId, ...frames]));
    this.sending = sent.catch(() => undefined);
    return sent;
  }

  ping(): Promise<void> {
    this.pingsSent++;
    return this.send({ '@type': 'Ping' });
  }

  /** Pings the last agent that said hello every `intervalMs`, as the real backend does every second. */
  startPinging(intervalMs = 1000): void {
    this.stopPinging();
    this.pinger = setInterval(() => {
      if (this.agent) this.ping().catch(() => undefined);
    }, intervalMs);
  }

  stopPinging(): void {
    clearInterval(this.pinger);
    this.pinger = undefined;
  }

  /** Resolves with the first message of `type` (matching the options); rejects after the timeout with what did arrive. */
  waitFor(type: string, options: WaitOptions = {}): Promise<Record<string, unknown>> {
    const { timeoutMs = 5_000, since = 0, where = () => true } = options;
    const find = () => this.received.slice(since).find((m) => m.type === type && m.message && where(m.message))?.message;
    return this.until(find, timeoutMs, () => `no ${type} within ${timeoutMs} ms`);
  }

  /** Resolves once `count` messages of `type` have arrived since `since`. */
  async waitForCount(type: string, count: number, options: Omit<WaitOptions, 'where'> = {}): Promise<void> {
    const { timeoutMs = 5_000, since = 0 } = options;
    await this.until(() => (this.count(type, since) >= count ? true : undefined), timeoutMs, () => `${this.count(type, since)}/${count} ${type} within ${timeoutMs} ms`);
  }

  /** Closes the ROUTER and binds a new one on the same port, forgetting the agent (as a restarted backend would). */
  async restart(): Promise<void> {
    this.router.close();
    this.agent = undefined;
    const router = new Router({ linger: 0 });
    for (let attempt = 0; ; attempt++) {
      try {
        await router.bind(this.address);
        break;
      } catch (error) {
        if (attempt >= 50) throw error;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    this.router = router;
    this.sending = Promise.resolve();
    void this.receive(router);
  }

  close(): void {
    this.stopPinging();
    this.router.close();
  }

  private async receive(router: Router): Promise<void> {
    try {
      for await (const [routingId, ...frames] of router) {
        const message = this.decodeMap(frames);
        const type = typeof message?.['@type'] === 'string' ? (message['@type'] as string) : undefined;
        if (type === 'AgentHello') this.agent = routingId;
        this.received.push({ message, type, frames, routingId });
        for (const listener of [...this.listeners]) listener();
      }
    } catch {
      // the socket was closed under the loop (close or restart): nothing more to record from it
    }
  }

  private decodeMap(frames: Buffer[]): Record<string, unknown> | undefined {
    if (frames.length !== 1) return undefined;
    try {
      const value = decode(frames[0]);
      return isPlainMap(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  private until<T>(find: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found === undefined) return;
        cleanup();
        resolve(found);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${describe()}; received: ${this.received.map((m) => m.type ?? '?').join(', ') || 'nothing'}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }
}
