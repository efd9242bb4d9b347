import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BackendConnection, BackendSocket, type LinkEvent } from '../../src/backend/backend-socket';
import { decode, encode } from '../../src/msgpack/msgpack.codec';
import { REPO } from '../support/agent-process';
import { PingingPeer } from '../support/pinging-peer';
import { untilTrue } from '../support/wait';

const BUILT_LINK_THREAD = join(REPO, 'dist', 'backend', 'link-thread.worker.js');
const PING_EVERY_MS = 20;
const LINK_NICE = -10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Holds this thread's event loop, as a stalled agent's would be held; returns when it began and ended. */
function blockEventLoop(ms: number): { from: number; to: number } {
  const from = Date.now();
  while (Date.now() - from < ms) {
    // nothing else runs on this thread meanwhile
  }
  return { from, to: Date.now() };
}

const within = (times: number[], from: number, to: number) => times.filter((t) => t >= from && t <= to);

/** This process's threads: kernel id, name, nice value (/proc/self/task). */
function threads(): Array<{ tid: number; name: string; nice: number }> {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // from the state, field 3 of proc(5)
    return { tid: Number(tid), name: readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim(), nice: Number(fields[16]) };
  });
}

describe('the backend link answers Pings from its own thread (built link thread, a real ZeroMQ peer pinging every 20 ms)', () => {
  let peer: PingingPeer;
  let connection: BackendConnection;
  let handedPings: number;
  let pongEvents: number;
  let priorities: Array<{ nice: number; refused?: string }>;

  beforeEach(async () => {
    peer = await PingingPeer.start(PING_EVERY_MS);
    connection = new BackendSocket(BUILT_LINK_THREAD).connect(peer.address, LINK_NICE);
    handedPings = 0;
    pongEvents = 0;
    priorities = [];
    void (async () => {
      for await (const event of connection.events()) await take(event);
    })();
    await connection.send(encode({ '@type': 'AgentHello', friendly_name: 'link', available_job_slots: 1, available_environments: {} }));
    await peer.connected();
    await sleep(200);
  });

  afterEach(async () => {
    await connection.close();
    await peer.stop();
  });

  /** As the transport does: a Ping handed over is answered by the event loop. */
  async function take(event: LinkEvent): Promise<void> {
    if ('pongSeconds' in event) {
      pongEvents++;
      return;
    }
    if ('nice' in event) {
      priorities.push(event);
      return;
    }
    expect(decode(event.frames[0])).toEqual({ '@type': 'Ping' });
    handedPings++;
    await connection.send(encode({ '@type': 'Pong' }));
  }

  it('Pongs keep arriving while the event loop is blocked for 600 ms', async () => {
    const blocked = blockEventLoop(600);
    await sleep(300);
    const { pings, pongs } = await peer.heartbeats();
    const answeredDuring = within(pongs, blocked.from + 100, blocked.to);
    expect(answeredDuring.length).toBeGreaterThanOrEqual(within(pings, blocked.from + 100, blocked.to - 150).length);
    const gaps = answeredDuring.slice(1).map((t, i) => t - answeredDuring[i]);
    expect(Math.max(...gaps)).toBeLessThan(250); // Pings come every 20 ms; a loaded machine may delay a thread a little
    expect(handedPings).toBe(0);
    expect(pongEvents).toBe(pongs.length);
  });

  it('past a second without a turn of the event loop: no Pong, the Pings wait for the event loop, which answers each once', async () => {
    const blocked = blockEventLoop(2500);
    const { pings } = await peer.heartbeats();
    const sentWhileStale = within(pings, blocked.from + 1300, blocked.to);
    await untilTrue('every Ping answered', () => handedPings >= sentWhileStale.length, 5000);
    await sleep(200);
    const { pongs } = await peer.heartbeats();
    expect(sentWhileStale.length).toBeGreaterThan(30);
    expect(within(pongs, blocked.from + 1300, blocked.to)).toEqual([]); // stale from 1 s at most, then a Pong in flight
    const all = await peer.heartbeats();
    expect(all.pongs.length).toBeGreaterThanOrEqual(within(all.pings, 0, Date.now() - 100).length);
    expect(all.pongs.length).toBeLessThanOrEqual(all.pings.length);
  });

  it('runs at the nice value asked for, as do the ZeroMQ threads; the event loop keeps its own', () => {
    expect(process.getuid?.()).toBe(0); // raising a priority needs root (or CAP_SYS_NICE), as in CI
    expect(priorities).toEqual([{ nice: LINK_NICE, refused: undefined }]);
    const all = threads();
    expect(all.find((t) => t.tid === process.pid)?.nice).toBe(0);
    const zeromq = all.filter((t) => t.name.startsWith('ZMQbg/'));
    expect(zeromq.map((t) => t.name)).toContain('ZMQbg/IO/0');
    expect(zeromq.every((t) => t.nice === LINK_NICE)).toBe(true);
    expect(all.filter((t) => !t.name.startsWith('ZMQbg/') && t.nice === LINK_NICE).length).toBe(1); // the link's thread
  });
});
