import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { SubmittedJob } from '../demo/backend-scheduler';
import { EmbeddedBackend } from '../demo/embedded-backend';
import { REPO } from './bench-agent';

export interface RoundTrips {
  agent: number[];
  /** A process that only answers Pings, pinged at the same moments: what this machine gives a Pong under that load. */
  reference: number[];
}

/** What the Pong bench needs of a backend: jobs run, and the Ping → Pong round trips it saw. */
export interface PongBackend {
  readonly address: string;
  whenAgentConnected(): Promise<void>;
  /** The jobs' result words (`success`, `crash`, …), once all have ended. */
  run(jobs: SubmittedJob[]): Promise<string[]>;
  /** Round trips (ms) since the last call: the agent's, and the reference responder's where the backend has one. */
  takeRoundTrips(): Promise<RoundTrips>;
  close(): void;
}

/** `pingMs` 0: the backend's heartbeat alone, one Ping a second. */
export function pongBackend(kind: string, pingMs: number): Promise<PongBackend> {
  if (kind === 'python') return PythonProbe.start(pingMs);
  if (kind === 'node') return NodeBackend.start(pingMs);
  throw new Error(`BENCH_PONG_BACKEND: expected node or python, got ${kind}`);
}

/** The embedded backend (Node's zeromq, whole messages decoded), as `npm start` runs it. */
class NodeBackend implements PongBackend {
  private readonly roundTrips: number[] = [];

  private constructor(private readonly backend: EmbeddedBackend) {
    backend.onEvent((event) => event.kind === 'pong' && this.roundTrips.push(event.ms));
  }

  static async start(pingMs: number): Promise<NodeBackend> {
    const backend = await EmbeddedBackend.start();
    if (pingMs > 0) backend.probeEvery(pingMs);
    return new NodeBackend(backend);
  }

  get address(): string {
    return this.backend.address;
  }

  whenAgentConnected(): Promise<void> {
    return this.backend.whenAgentConnected();
  }

  async run(jobs: SubmittedJob[]): Promise<string[]> {
    const done = await Promise.all(jobs.map((job) => this.backend.submit(job)));
    return done.map((d) => String(d.result[0]));
  }

  async takeRoundTrips(): Promise<RoundTrips> {
    return { agent: this.roundTrips.splice(0), reference: [] };
  }

  close(): void {
    this.backend.close();
  }
}

/** scripts/pong-probe.py: Python's pyzmq and msgpack, as the real backend, reading only the head of large messages. */
class PythonProbe implements PongBackend {
  private readonly answers: Array<(answer: Record<string, unknown>) => void> = [];
  /** its first answer after the address */
  private readonly connected = new Promise<void>((resolve) => this.answers.push(() => resolve()));

  private constructor(
    private readonly child: ChildProcess,
    lines: Interface,
    readonly address: string,
  ) {
    lines.on('line', (line) => this.answers.shift()?.(JSON.parse(line) as Record<string, unknown>));
  }

  static async start(pingMs: number): Promise<PythonProbe> {
    const child = spawn('/usr/bin/python3', [join(REPO, 'scripts', 'pong-probe.py'), String(pingMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`pong-probe.py exited with ${code} (it needs python3-zmq and python3-msgpack)`)));
    });
    return new PythonProbe(child, lines, (JSON.parse(first) as { address: string }).address);
  }

  whenAgentConnected(): Promise<void> {
    return this.connected;
  }

  async run(jobs: SubmittedJob[]): Promise<string[]> {
    const answer = await this.ask({ jobs });
    return (answer.results as unknown[][]).map((result) => String(result[0]));
  }

  async takeRoundTrips(): Promise<RoundTrips> {
    const answer = await this.ask({ take: true });
    return { agent: answer.round_trips as number[], reference: answer.reference as number[] };
  }

  close(): void {
    this.child.stdin?.end();
  }

  private ask(request: object): Promise<Record<string, unknown>> {
    const answer = new Promise<Record<string, unknown>>((resolve) => this.answers.push(resolve));
    this.child.stdin?.write(`${JSON.stringify(request)}\n`);
    return answer;
  }
}
