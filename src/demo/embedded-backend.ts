import { Router } from 'zeromq';
import type { AgentJobDone } from '../backend/backend.messages';
import { decode, encode, isPlainMap } from '../msgpack/msgpack.codec';

/** AgentJobDone as a backend decodes it: the grade is a plain number there. */
export type ReceivedJobDone = Omit<AgentJobDone, 'grade'> & { grade: number };

/**
 * The smallest INGInious backend that can drive an agent, for the demo and the benchmark: a ROUTER on loopback that
 * pings the agent every second, as the real one does, submits jobs and resolves each with its AgentJobDone.
 */
export class EmbeddedBackend {
  private agent?: Buffer;
  private helloSeen?: () => void;
  private readonly hello = new Promise<void>((resolve) => (this.helloSeen = resolve));
  private readonly waiting = new Map<string, (done: ReceivedJobDone) => void>();
  private sending: Promise<unknown> = Promise.resolve();
  private pinger: NodeJS.Timeout;
  /** when each Ping not yet answered left: the agent answers Pings in order */
  private readonly pingsInFlight: number[] = [];
  /** every Ping → Pong round trip so far, ms */
  readonly pongRoundTripsMs: number[] = [];

  private constructor(
    private readonly router: Router,
    readonly address: string,
  ) {
    void this.receive();
    this.pinger = this.startPinging(1000);
  }

  static async start(): Promise<EmbeddedBackend> {
    const router = new Router({ linger: 0 });
    await router.bind('tcp://127.0.0.1:*');
    return new EmbeddedBackend(router, router.lastEndpoint as string);
  }

  whenAgentConnected(): Promise<void> {
    return this.hello;
  }

  submit(job: Record<string, unknown> & { job_id: string }): Promise<ReceivedJobDone> {
    const done = new Promise<ReceivedJobDone>((resolve) => this.waiting.set(job.job_id, resolve));
    void this.send({ ...job, '@type': 'BackendNewJob' });
    return done;
  }

  /** Pings every `ms` from now on (the real backend: every second). */
  pingEvery(ms: number): void {
    clearInterval(this.pinger);
    this.pinger = this.startPinging(ms);
  }

  close(): void {
    clearInterval(this.pinger);
    this.router.close();
  }

  private startPinging(ms: number): NodeJS.Timeout {
    return setInterval(() => this.agent && void this.send({ '@type': 'Ping' }), ms);
  }

  private send(message: Record<string, unknown>): Promise<unknown> {
    const to = this.agent as Buffer;
    const frame = encode(message);
    this.sending = this.sending
      .then(() => {
        if (message['@type'] === 'Ping') this.pingsInFlight.push(performance.now());
        return this.router.send([to, frame]);
      })
      .catch(() => undefined);
    return this.sending;
  }

  private async receive(): Promise<void> {
    try {
      for await (const [routingId, frame] of this.router) {
        const message = decode(frame);
        if (!isPlainMap(message)) continue;
        if (message['@type'] === 'AgentHello') {
          this.agent = routingId;
          this.helloSeen?.();
        } else if (message['@type'] === 'Pong') {
          const sent = this.pingsInFlight.shift();
          if (sent !== undefined) this.pongRoundTripsMs.push(performance.now() - sent);
        } else if (message['@type'] === 'AgentJobDone') {
          const done = message as unknown as ReceivedJobDone;
          this.waiting.get(done.job_id)?.(done);
          this.waiting.delete(done.job_id);
        }
      }
    } catch {
      // closed
    }
  }
}
