import { parentPort, workerData } from 'node:worker_threads';
import { Dealer } from 'zeromq';
import { LinkThread, type ToLinkThread } from './link-thread';

/** What the event loop gives the link's thread at start (see ThreadedBackendConnection). */
export interface LinkThreadData {
  address: string;
  lingerMs: number;
  /** One BigInt64: Date.now() of the event loop's last turn. */
  eventLoopBeat: SharedArrayBuffer;
  staleAfterMs: number;
  /** One Int32, set to 1 (and notified) once the DEALER is closed: the thread may then be stopped safely. */
  dealerClosed: SharedArrayBuffer;
}

// Worker-thread entry: the DEALER lives here, so that Pings are answered whatever the event loop is doing.
const data = workerData as LinkThreadData;
const beat = new BigInt64Array(data.eventLoopBeat);
const dealer = new Dealer({ ipv6: true, linger: data.lingerMs });
const port = parentPort!;
const thread = new LinkThread({
  dealer: { send: (frame) => dealer.send(frame), messages: () => dealer, close: () => dealer.close() },
  post: (message, transfer) => port.postMessage(message, transfer),
  eventLoopAlive: () => Date.now() - Number(Atomics.load(beat, 0)) <= data.staleAfterMs,
  now: () => performance.now(),
  after: (ms, callback) => setTimeout(callback, ms),
});
const closed = new Int32Array(data.dealerClosed);
port.on('message', (message: ToLinkThread) => {
  thread.handle(message);
  if (message.kind !== 'close') return;
  Atomics.store(closed, 0, 1);
  Atomics.notify(closed, 0);
  port.close();
});
try {
  dealer.connect(data.address);
  void thread.receive();
} catch (error) {
  port.postMessage({ kind: 'failed', error: error instanceof Error ? error.message : String(error) });
}
