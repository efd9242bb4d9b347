import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseAgentConfig } from '../config/agent-config';
import { stopAgent } from '../demo/agent-child';
import { REPO, spawnBenchAgent } from './bench-agent';
import { type PongBackend, pongBackend, type RoundTrips } from './pong-backends';
import { cpuSeconds, median, peakRssMiB, percentile } from './process-usage';

/** the test course holds the task that writes hostile frames (test/fixtures/tasks/testcourse/hostile-frames) */
const TASKS_DIR = join(REPO, 'test', 'fixtures', 'tasks');
/** 0: only the backend's own heartbeat, one Ping a second, as the real backend sends them */
const PING_EVERY_MS = Number(process.env.BENCH_PING_MS ?? 10);
/** each round of jobs run this many times over (more Pongs at the backend's slow rhythm) */
const REPEAT = Number(process.env.BENCH_PONG_REPEAT ?? 1);
/**
 * Rounds of the largest results run first, unmeasured. A process's first large messages fault in fresh memory (the
 * agent's, and the receiving backend's: ~60 ms per 16 MiB on this machine) and a Pong behind one waits for it; an agent
 * and a backend that have run a while reuse that memory. `BENCH_PONG_WARMUP=0` measures a cold start.
 */
const WARMUP = Number(process.env.BENCH_PONG_WARMUP ?? 2);
/** Its containers removed and its folders gone before the idle round trips. */
const AFTER_WARMUP_MS = 3000;
const IDLE_MS = 5000;
/** After a round's last job: the Pongs still queued behind its last message belong to that round, not the next. */
const SETTLE_MS = 1000;
const CONTAINERS = 2;
/** the agent's frame cap, and the size of the largest results the task writes (default: the agent's default cap) */
const FRAME_BYTES = process.env.BENCH_FRAME_BYTES;
/**
 * python (default): scripts/pong-probe.py, built as the real backend is (needs python3-zmq and python3-msgpack); node:
 * the embedded backend, whose receiver faults fresh pages for every large message and so mostly measures itself
 */
const BACKEND = process.env.BENCH_PONG_BACKEND ?? 'python';

const say = (line: string) => process.stdout.write(`${line}\n`);

interface Round {
  name: string;
  scenario: string;
  count: number;
  expect: string;
}

const ROUNDS: Round[] = [
  { name: `3 results of ${mib(frameBytes())} MiB / 99 000 entries each (the largest the limits allow)`, scenario: 'largest-allowed', count: 3, expect: 'success' },
  { name: 'a 14 MB result of 1.5 million entries (refused)', scenario: 'many-entries', count: 1, expect: 'crash' },
  { name: 'an archive of 100 000 spaces and one bad character (refused)', scenario: 'spaces-archive', count: 1, expect: 'crash' },
];

/**
 * `npm run bench -- pong`: Ping → Pong round trips of the built agent, pinged every 10 ms, while 2 grading containers
 * at once write the costliest frames (test course task `hostile-frames`); idle round trips first, for reference.
 */
async function main(): Promise<void> {
  const backend = await pongBackend(BACKEND, PING_EVERY_MS);
  const agent = spawnBenchAgent(backend, 'bench-pong', TASKS_DIR, CONTAINERS, FRAME_BYTES ? { AGENT_MAX_FRAME_BYTES: FRAME_BYTES } : {});
  try {
    await backend.whenAgentConnected();
    for (let turn = 0; turn < WARMUP; turn++) await runJobs(backend, ROUNDS[0]);
    if (WARMUP > 0) await new Promise((r) => setTimeout(r, AFTER_WARMUP_MS));
    await backend.takeRoundTrips();
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const rows = [row('idle (no job)', await backend.takeRoundTrips())];
    const pid = agent.pid as number;
    for (const round of ROUNDS) {
      const cpuBefore = cpuSeconds(pid);
      const started = performance.now();
      const roundTripsOfRound: RoundTrips = { agent: [], reference: [] };
      for (let turn = 0; turn < REPEAT; turn++) {
        await runJobs(backend, round);
        await new Promise((r) => setTimeout(r, SETTLE_MS));
        const taken = await backend.takeRoundTrips();
        roundTripsOfRound.agent.push(...taken.agent);
        roundTripsOfRound.reference.push(...taken.reference);
      }
      const seconds = (performance.now() - started) / 1000 - (REPEAT * SETTLE_MS) / 1000;
      const cpu = cpuSeconds(pid) - cpuBefore;
      rows.push(row(`${CONTAINERS} containers at once${REPEAT > 1 ? `, ${REPEAT} times` : ''}: ${round.name}`, roundTripsOfRound, `${seconds.toFixed(1)} s, agent CPU ${cpu.toFixed(2)} s`));
    }
    say('');
    say(`${PING_EVERY_MS > 0 ? `Ping every ${PING_EVERY_MS} ms` : 'Ping every second (the backend\'s heartbeat alone)'}; round trip Ping → Pong as the ${BACKEND} backend sees it`);
    say(`${WARMUP} unmeasured round(s) of the largest results first; reference: a process that only answers Pings, pinged at the same moments`);
    say('| while | pongs | median | p99 | max | reference p99 / max | jobs took |');
    say('|---|---|---|---|---|---|---|');
    for (const line of rows) say(line);
    say('');
    say(`agent peak RSS: ${peakRssMiB(pid).toFixed(0)} MiB (targets while loaded: p99 ≤ 10 ms, max ≤ 100 ms)`);
  } finally {
    await stopAgent(agent);
    backend.close();
  }
}

function row(what: string, { agent, reference }: RoundTrips, took = ''): string {
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const referenceFigures = reference.length > 0 ? `${ms(percentile(reference, 99))} / ${ms(Math.max(...reference))}` : '—';
  return `| ${what} | ${agent.length} | ${ms(median(agent))} | ${ms(percentile(agent, 99))} | ${ms(Math.max(...agent))} | ${referenceFigures} | ${took} |`;
}

async function runJobs(backend: PongBackend, round: Round): Promise<void> {
  const jobs = Array.from({ length: CONTAINERS }, () => ({
    job_id: randomUUID(),
    course_id: 'testcourse',
    task_id: 'hostile-frames',
    task_problems: {},
    inputdata: { scenario: round.scenario, count: String(round.count), bytes: String(frameBytes()), '@username': 'bench', '@lang': 'en', '@state': '' },
    environment_type: 'docker',
    environment: 'default',
    environment_parameters: { limits: { time: 60, memory: 1500 } },
    debug: false,
  }));
  const results = await backend.run(jobs);
  if (results.some((result) => result !== round.expect)) throw new Error(`${round.scenario} ended as ${results.join(', ')}`);
}

function frameBytes(): number {
  return FRAME_BYTES ? Number(FRAME_BYTES) : parseAgentConfig({ AGENT_BACKEND_ADDR: 'tcp://127.0.0.1:1' }).maxFrameBytes;
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(0);
}

main().catch((error: Error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
