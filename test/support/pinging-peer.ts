import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

/** Date.now() of each Ping the peer sent, and of each Pong that arrived. */
export interface Heartbeats {
  pings: number[];
  pongs: number[];
}

// Runs in its own thread, so that it keeps pinging (and timing Pongs) while the test blocks its own event loop.
const PEER = `
const { parentPort, workerData } = require('node:worker_threads');
const { Router } = require('zeromq');
const { pack } = require('msgpackr');
const PING = pack({ '@type': 'Ping' });
const router = new Router({ linger: 0 });
const pings = [];
const pongs = [];
let agent;
let pinging;
(async () => {
  await router.bind('tcp://127.0.0.1:*');
  parentPort.postMessage({ address: router.lastEndpoint });
  for await (const [id, frame] of router) {
    if (!agent) {
      agent = id;
      pinging = setInterval(() => { pings.push(Date.now()); router.send([agent, PING]).catch(() => undefined); }, workerData.everyMs);
      parentPort.postMessage({ connected: true });
    } else if (frame.length < 16 && frame.includes('Pong')) {
      pongs.push(Date.now());
    }
  }
})().catch(() => undefined); // the router closed
parentPort.on('message', (request) => {
  if (request === 'report') return parentPort.postMessage({ pings, pongs });
  // closed, never terminated: a thread stopped with an open zeromq socket aborts the whole process
  clearInterval(pinging);
  router.close();
  parentPort.close();
});
`;

/** A backend reduced to its heartbeat: a ROUTER in its own thread that pings the first peer to speak, every `everyMs`. */
export class PingingPeer {
  private constructor(
    private readonly worker: Worker,
    readonly address: string,
    private readonly spoken: Promise<unknown>,
  ) {}

  static async start(everyMs: number): Promise<PingingPeer> {
    const worker = new Worker(PEER, { eval: true, workerData: { everyMs }, env: { ...process.env }, execArgv: [] });
    const [{ address }] = (await once(worker, 'message')) as [{ address: string }];
    return new PingingPeer(worker, address, once(worker, 'message'));
  }

  /** Resolves once the agent's side has spoken (the peer then starts pinging it). */
  async connected(): Promise<void> {
    await this.spoken;
  }

  async heartbeats(): Promise<Heartbeats> {
    this.worker.postMessage('report');
    const [heartbeats] = (await once(this.worker, 'message')) as [Heartbeats];
    return heartbeats;
  }

  async stop(): Promise<void> {
    const exited = once(this.worker, 'exit');
    this.worker.postMessage('stop');
    await exited;
  }
}
