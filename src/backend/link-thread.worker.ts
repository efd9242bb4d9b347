import { readdirSync, readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { Dealer } from 'zeromq';
import { type FromLinkThread, LinkThread, type ToLinkThread } from './link-thread';

/** What the event loop gives the link's thread at start (see ThreadedBackendConnection). */
export interface LinkThreadData {
  address: string;
  /** This thread's nice value (see AGENT_BACKEND_LINK_NICE). */
  nice: number;
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
const port = parentPort!;
const dealer = new Dealer({ ipv6: true, linger: data.lingerMs });
port.postMessage(takePriority(data.nice)); // after the DEALER: ZeroMQ's threads exist from the first socket on
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

/**
 * On Linux a nice value is a thread's own: this thread's and ZeroMQ's (whose I/O thread carries the Pongs) are set, the
 * event loop's is not. ZeroMQ's context, and so its threads, is the process's, whichever thread started it.
 */
function takePriority(nice: number): FromLinkThread {
  try {
    for (const tid of [0, ...zeromqThreads()]) if (getPriority(tid) !== nice) setPriority(tid, nice);
    return { kind: 'priority', nice };
  } catch (error) {
    return { kind: 'priority', nice: getPriority(0), error: error instanceof Error ? error.message : String(error) };
  }
}

/** libzmq names its threads ZMQbg/IO/<n> and ZMQbg/Reaper. */
function zeromqThreads(): number[] {
  const named = (tid: string) => {
    try {
      return readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').startsWith('ZMQbg/');
    } catch {
      return false; // ended meanwhile
    }
  };
  return readdirSync('/proc/self/task').filter(named).map(Number);
}
