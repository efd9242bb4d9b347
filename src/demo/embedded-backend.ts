import { Router } from 'zeromq';
import type { AgentHello } from '../backend/backend.messages';
import { encode } from '../msgpack/msgpack.codec';
import { decodeAgentFrame } from './agent-frame';
import { BackendScheduler, type SubmittedJob } from './backend-scheduler';
import type { ReceivedJobDone } from './received-job-done';

export type { ReceivedJobDone } from './received-job-done';

/** What happens on the agent side of the backend, for a program that watches (the soak). */
export type BackendEvent =
  | { kind: 'hello'; agent: string; name: string }
  | { kind: 'job-sent'; jobId: string; agent: string; name: string }
  | { kind: 'agent-job-done'; jobId: string; agent: string; accepted: boolean }
  | { kind: 'agent-dropped'; agent: string; name: string; jobIds: string[] }
  | { kind: 'pong'; agent: string; ms: number };

const PING_PERIOD_MS = 1000;

/**
 * An INGInious backend in miniature, for the demo, the benchmark and the soak: a ROUTER on loopback that schedules
 * jobs over the agents that said hello as the real backend does (BackendScheduler), pings them every second, and
 * resolves each submitted job with its end. `restart()` closes the socket and binds a new one on the same address.
 */
export class EmbeddedBackend {
  private readonly scheduler: BackendScheduler;
  private readonly routingIds = new Map<string, Buffer>();
  private readonly pingsInFlight = new Map<string, number[]>();
  private readonly waiting = new Map<string, (done: ReceivedJobDone) => void>();
  private readonly listeners: Array<(event: BackendEvent) => void> = [];
  private helloSeen?: () => void;
  private readonly hello = new Promise<void>((resolve) => (this.helloSeen = resolve));
  private sending: Promise<unknown> = Promise.resolve();
  private readonly pinger: NodeJS.Timeout;
  private prober?: NodeJS.Timeout;

  private constructor(
    private router: Router,
    readonly address: string,
  ) {
    this.scheduler = new BackendScheduler({
      toAgent: (agent, message) => void this.send(agent, message),
      jobEnded: (jobId, done) => {
        this.waiting.get(jobId)?.(done);
        this.waiting.delete(jobId);
      },
      jobSent: (jobId, agent, name) => this.emit({ kind: 'job-sent', jobId, agent, name }),
      agentDropped: (agent, name, jobIds) => {
        this.pingsInFlight.delete(agent);
        this.emit({ kind: 'agent-dropped', agent, name, jobIds });
      },
    });
    void this.receive(router);
    this.pinger = setInterval(() => this.ping(), PING_PERIOD_MS);
  }

  static async start(address = 'tcp://127.0.0.1:*'): Promise<EmbeddedBackend> {
    const router = await bindRouter(address);
    return new EmbeddedBackend(router, router.lastEndpoint as string);
  }

  whenAgentConnected(): Promise<void> {
    return this.hello;
  }

  onEvent(listener: (event: BackendEvent) => void): void {
    this.listeners.push(listener);
  }

  submit(job: SubmittedJob): Promise<ReceivedJobDone> {
    const done = new Promise<ReceivedJobDone>((resolve) => this.waiting.set(job.job_id, resolve));
    this.scheduler.submit(job);
    return done;
  }

  kill(jobId: string): void {
    this.scheduler.kill(jobId);
  }

  /**
   * Also pings every `ms` (probes, for Pong latency figures); the heartbeat and its drop rule stay at one round a
   * second, as in the real backend, so frequent probes never make a busy agent look lost.
   */
  probeEvery(ms: number): void {
    clearInterval(this.prober);
    this.prober = setInterval(() => this.scheduler.registered().forEach((agent) => this.sendPing(agent)), ms);
  }

  /** The backend's socket goes away and comes back on the same address; what the backend knows is kept. */
  async restart(): Promise<void> {
    this.router.close();
    this.router = await bindRouter(this.address);
    void this.receive(this.router);
  }

  close(): void {
    clearInterval(this.pinger);
    clearInterval(this.prober);
    this.router.close();
  }

  private ping(): void {
    for (const agent of this.scheduler.pingRound()) this.sendPing(agent);
  }

  private sendPing(agent: string): void {
    this.pingsInFlight.set(agent, [...(this.pingsInFlight.get(agent) ?? []), performance.now()]);
    void this.send(agent, { '@type': 'Ping' });
  }

  private send(agent: string, message: Record<string, unknown>): Promise<unknown> {
    const to = this.routingIds.get(agent) as Buffer;
    this.sending = this.sending.then(() => this.router.send([to, encode(message)])).catch(() => undefined);
    return this.sending;
  }

  private emit(event: BackendEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private async receive(router: Router): Promise<void> {
    try {
      for await (const [routingId, frame] of router) {
        const message = decodeAgentFrame(frame);
        if (message) this.handle(routingId, message);
      }
    } catch {
      // closed (restart or close)
    }
  }

  private handle(routingId: Buffer, message: Record<string, unknown>): void {
    const agent = routingId.toString('hex');
    this.routingIds.set(agent, routingId);
    switch (message['@type']) {
      case 'AgentHello': {
        const hello = message as unknown as AgentHello;
        this.pingsInFlight.delete(agent);
        this.scheduler.hello(agent, hello);
        this.emit({ kind: 'hello', agent, name: hello.friendly_name });
        this.helloSeen?.();
        break;
      }
      case 'AgentJobDone': {
        const done = message as unknown as ReceivedJobDone;
        const accepted = this.scheduler.jobDone(agent, done);
        this.emit({ kind: 'agent-job-done', jobId: done.job_id, agent, accepted });
        break;
      }
      case 'Pong': {
        const sentAt = this.pingsInFlight.get(agent)?.shift();
        this.scheduler.pong(agent);
        if (sentAt !== undefined) this.emit({ kind: 'pong', agent, ms: performance.now() - sentAt });
        break;
      }
    }
  }
}

async function bindRouter(address: string): Promise<Router> {
  for (let attempt = 0; ; attempt++) {
    const router = new Router({ linger: 0 });
    try {
      await router.bind(address);
      return router;
    } catch (error) {
      router.close();
      if (attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
