import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { spawnAgent, stopAgent } from '../demo/agent-child';
import { EmbeddedBackend } from '../demo/embedded-backend';
import { TreeRemover } from '../job-files/tree-remover';
import { NodeTreeFileSystem } from '../timeouts/node-tree-file-system';
import { measureTree } from '../timeouts/tree-usage';
import { median, percentile } from './process-usage';

const REPO = resolve(__dirname, '..', '..');
/** where the bench and its agent work (BENCH_CLEANUP_DIR: put it on another file system than Docker's to compare) */
const WORK = process.env.BENCH_CLEANUP_DIR ?? join(REPO, '.cache', 'bench-cleanup');
const FILES = Number(process.env.BENCH_CLEANUP_FILES ?? 200_000);
const ROUNDS = Number(process.env.BENCH_CLEANUP_ROUNDS ?? 3);
/** idle time before each of the other jobs (0: back to back, the agent never idle) */
const GAP_MS = Number(process.env.BENCH_CLEANUP_GAP_MS ?? 0);
/** other jobs run after each clean-up, for the baseline */
const JOBS_AFTER = 5;
const INPUT = { '@username': 'bench', '@lang': 'en', '@state': '' };

const say = (line: string) => process.stdout.write(`${line}\n`);
const ms = (value: number) => `${value.toFixed(0)} ms`;
const sleep = (delayMs: number) => new Promise((done) => setTimeout(done, delayMs));

/**
 * `node dist/bench/cleanup-bench.js` (`npm run bench`, part 3): what a job folder of FILES files costs the rest of the
 * agent. Part 1, in this process: removal with `fs.rm` against the agent's TreeRemover, while a probe does another
 * job's small file work (a folder made, written, read, removed) every 10 ms; then one disk-limit walk of such a folder.
 * Part 2, the built agent: ROUNDS times, a job makes FILES files while other jobs run one after another; the latencies
 * of those overlapping its clean-up against those of the jobs before the big jobs and right after each clean-up (the
 * machine's state drifts between runs: a baseline from the same run). Env: BENCH_CLEANUP_FILES, BENCH_CLEANUP_ROUNDS,
 * BENCH_CLEANUP_SKIP_PART1, BENCH_CLEANUP_DIR, BENCH_CLEANUP_GAP_MS.
 */
async function main(): Promise<void> {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  try {
    if (!process.env.BENCH_CLEANUP_SKIP_PART1) {
      say(`== part 1: removing a folder of ${FILES} files, in this process`);
      say('| removal | took | probe median | probe p99 | probe max | event-loop delay max |');
      say('|---|---|---|---|---|---|');
      say(await removalRow('none (baseline, 3 s)', () => sleep(3_000)));
      say(await removalRow('fs.rm (recursive)', (folder) => rm(folder, { recursive: true, force: true })));
      const trees = new TreeRemover();
      say(await removalRow('TreeRemover (niced rm -rf from a helper shell, the agent\'s)', (folder) => trees.remove(folder)));
      trees.onModuleDestroy();
      say('');
      say(await walkCost());
    }
    say('');
    say(`== part 2: the agent; a job making ${FILES} files, other jobs (sample/hello) one after another`);
    await agentRun();
  } finally {
    rmSync(WORK, { recursive: true, force: true });
  }
}

function makeFiles(): string {
  const folder = mkdtempSync(join(WORK, 'many-'));
  execFileSync('sh', ['-c', `cd "${folder}" && seq 1 ${FILES} | xargs touch`]);
  return folder;
}

/** What one disk-limit walk of a big job folder costs, whole and stopped at the default entry bound. */
async function walkCost(): Promise<string> {
  const folder = makeFiles();
  const fs = new NodeTreeFileSystem();
  const started = performance.now();
  const whole = await measureTree(fs, folder, { maxBytes: Infinity, maxEntries: Infinity });
  const wholeMs = performance.now() - started;
  const boundedStart = performance.now();
  const bounded = await measureTree(fs, folder, { maxBytes: Infinity, maxEntries: 100_000 });
  const boundedMs = performance.now() - boundedStart;
  rmSync(folder, { recursive: true, force: true });
  return `disk-limit walk: ${whole.entries} entries in ${ms(wholeMs)}; stopped at ${bounded.entries} entries (bound 100 000) in ${ms(boundedMs)}`;
}

async function removalRow(label: string, removal: (folder: string) => Promise<unknown>): Promise<string> {
  const folder = makeFiles();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  const probes: number[] = [];
  let running = true;
  const probing = (async () => {
    while (running) {
      const started = performance.now();
      const folder = await mkdtemp(join(WORK, 'probe-'));
      await writeFile(join(folder, 'file'), 'x'.repeat(4096));
      await readFile(join(folder, 'file'));
      await rm(folder, { recursive: true, force: true });
      probes.push(performance.now() - started);
      await sleep(10);
    }
  })();
  loop.enable();
  const started = performance.now();
  await removal(folder);
  const took = performance.now() - started;
  loop.disable();
  running = false;
  await probing;
  rmSync(folder, { recursive: true, force: true });
  return `| ${label} | ${ms(took)} | ${ms(median(probes))} | ${ms(percentile(probes, 99))} | ${ms(Math.max(...probes))} | ${ms(loop.max / 1e6)} |`;
}

async function agentRun(): Promise<void> {
  const tasks = mkdtempSync(join(WORK, 'tasks-'));
  symlinkSync(join(REPO, 'tasks', 'sample'), join(tasks, 'sample'));
  symlinkSync(join(REPO, 'test', 'fixtures', 'tasks', 'testcourse'), join(tasks, 'testcourse'));
  const logFile = join(REPO, '.cache', 'bench-cleanup-agent.log');
  const backend = await EmbeddedBackend.start();
  const agent = spawnAgent(
    {
      AGENT_BACKEND_ADDR: backend.address,
      AGENT_TASKS_DIR: tasks,
      AGENT_TMP_DIR: join(WORK, 'agent'),
      AGENT_CONCURRENCY: '2',
      AGENT_DISK_MAX_ENTRIES: String(FILES * 2),
      AGENT_LOG_LEVEL: 'info',
    },
    logFile,
  );
  try {
    await backend.whenAgentConnected();
    const hello = async () => {
      await new Promise((r) => setTimeout(r, GAP_MS));
      return timed(() => submit(backend, 'sample', 'hello', { q1: 'bench' }, { time: 30, memory: 100 }));
    };
    const quiet: Span[] = [];
    for (let i = 0; i < 11; i++) quiet.push(await hello());
    quiet.shift(); // warm-up
    const quietLatencies = quiet.map(latency);
    const during: number[] = [];
    const cleanups: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const result = await bigJobRound(backend, logFile, hello);
      cleanups.push(result.cleanupMs);
      during.push(...result.during);
      quietLatencies.push(...result.after);
      say(`round ${i + 1}, other jobs from the big job's end (started at: latency): ${result.timeline}`);
    }
    const baseline = median(quietLatencies);
    say(`the big job's folder removal (from its request to its end, any wait while jobs grade included), ${ROUNDS} rounds: ${cleanups.map(ms).join(', ')}`);
    say(`other jobs before the big jobs and after each clean-up: ${quietLatencies.length}, latency median ${ms(baseline)}, p90 ${ms(percentile(quietLatencies, 90))}, max ${ms(Math.max(...quietLatencies))}`);
    say(
      during.length === 0
        ? 'no other job ran during a clean-up'
        : `other jobs overlapping a clean-up: ${during.length}, latency median ${ms(median(during))}, p90 ${ms(percentile(during, 90))}, max ${ms(Math.max(...during))}; median delayed by ${ms(median(during) - baseline)}`,
    );
  } finally {
    await stopAgent(agent);
    backend.close();
  }
}

type Span = { startedAt: number; endedAt: number };
const latency = (span: Span) => span.endedAt - span.startedAt;

/**
 * One job making FILES files while other jobs run one after another; the latencies of those overlapping its clean-up,
 * which runs after its AgentJobDone (early done) until the agent logs its folder removed.
 */
async function bigJobRound(
  backend: EmbeddedBackend,
  logFile: string,
  hello: () => Promise<Span>,
): Promise<{ cleanupMs: number; during: number[]; after: number[]; timeline: string }> {
  const bigId = randomUUID();
  let bigEndedAt: number | undefined;
  // 1000 MiB: the files' inodes and dentries count against the job's memory (200 MiB ran out at 149 103 files on ext4)
  const big = submit(backend, 'testcourse', 'disk-writer', { scenario: 'files', count: String(FILES) }, { time: 120, hard_time: 300, memory: 1000, disk: 4096 }, bigId).then((done) => {
    bigEndedAt = performance.now();
    return done;
  });
  const others: Span[] = [];
  let removalSeconds: number | undefined;
  while (removalSeconds === undefined) {
    others.push(await hello());
    if (bigEndedAt !== undefined) removalSeconds = removalSecondsOf(logFile, bigId);
  }
  const cleanedAt = performance.now();
  const after: Span[] = [];
  for (let i = 0; i < JOBS_AFTER; i++) after.push(await hello());
  const done = await big;
  if (!String(done.result[1]).includes(`made ${FILES} files`)) throw new Error(`the big job ended ${done.result.join(': ')}`);
  const windowStart = bigEndedAt as number;
  const overlapping = others.filter((o) => o.endedAt >= windowStart && o.startedAt <= cleanedAt);
  const timeline = overlapping.map((o) => `${((o.startedAt - windowStart) / 1000).toFixed(1)} s: ${ms(latency(o))}`).join(', ');
  return { cleanupMs: removalSeconds * 1000, during: overlapping.map(latency), after: after.map(latency), timeline };
}

async function timed(run: () => Promise<unknown>): Promise<Span> {
  const startedAt = performance.now();
  await run();
  return { startedAt, endedAt: performance.now() };
}

function submit(
  backend: EmbeddedBackend,
  course: string,
  task: string,
  inputs: Record<string, string>,
  limits: Record<string, number>,
  jobId = randomUUID(),
) {
  return backend.submit({
    job_id: jobId,
    course_id: course,
    task_id: task,
    task_problems: {},
    inputdata: { ...INPUT, ...inputs },
    environment_type: 'docker',
    environment: 'default',
    environment_parameters: { limits },
    debug: false,
  });
}

/** undefined until the agent logged the job's folder as removed */
function removalSecondsOf(logFile: string, jobId: string): number | undefined {
  const line = readFileSync(logFile, 'utf8').split('\n').find((l) => l.includes(jobId) && l.includes('removalSeconds'));
  return line ? (JSON.parse(line) as { removalSeconds: number }).removalSeconds : undefined;
}

main().catch((error: Error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
