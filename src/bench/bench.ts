import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { stopAgent } from '../demo/agent-child';
import { EmbeddedBackend } from '../demo/embedded-backend';
import { createDockerClient } from '../docker/docker.client';
import { REPO, spawnBenchAgent } from './bench-agent';
import { EngineFloor } from './engine-floor';
import { cpuSeconds, median, peakRssMiB, percentile } from './process-usage';

const IMAGE = 'inginious-agent-sample/default:latest';
const TASK = { course: 'sample', task: 'hello' };
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 20);
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 40);
const CONCURRENCY = 2;
const INPUT = { q1: 'benchmark', '@username': 'bench', '@lang': 'en', '@state': '' };

const say = (line: string) => process.stdout.write(`${line}\n`);
const fmt = (ms: number) => `${ms.toFixed(0)} ms`;

/**
 * `npm run bench` (part 1): job latency and throughput of the agent against the floor of the same work done straight
 * through the Engine API, on the same engine in the same run.
 */
async function main(): Promise<void> {
  const floor = new EngineFloor(createDockerClient(), IMAGE, join(REPO, 'tasks', TASK.course, TASK.task));
  say(`floor: ${SEQUENTIAL} runs of ${IMAGE} (${TASK.course}/${TASK.task}) straight through the Engine API`);
  await floor.runOnce(INPUT); // warm-up: page cache, image layers
  const floorMs: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) floorMs.push(await floor.runOnce(INPUT));
  floor.dispose();

  const backend = await EmbeddedBackend.start();
  const agent = spawnBenchAgent(backend, 'bench', join(REPO, 'tasks'), CONCURRENCY);
  try {
    await backend.whenAgentConnected();
    const pid = agent.pid as number;
    const cpuBefore = cpuSeconds(pid);
    await runJob(backend); // warm-up
    say(`agent: ${SEQUENTIAL} sequential jobs`);
    const agentMs: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) agentMs.push(await runJob(backend));

    say(`agent: ${PARALLEL} jobs at concurrency ${CONCURRENCY}`);
    const started = performance.now();
    let next = 0;
    const worker = async () => {
      while (next++ < PARALLEL) await runJob(backend);
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const throughputSeconds = (performance.now() - started) / 1000;
    const cpuUsed = cpuSeconds(pid) - cpuBefore;
    const rss = peakRssMiB(pid);

    const floorMedian = median(floorMs);
    const agentMedian = median(agentMs);
    say('');
    say('| measure | floor (Engine API only) | agent |');
    say('|---|---|---|');
    say(`| latency median | ${fmt(floorMedian)} | ${fmt(agentMedian)} |`);
    say(`| latency p95 | ${fmt(percentile(floorMs, 95))} | ${fmt(percentile(agentMs, 95))} |`);
    say(`| throughput, ${PARALLEL} jobs at concurrency ${CONCURRENCY} | | ${(PARALLEL / throughputSeconds).toFixed(2)} jobs/s |`);
    say(`| agent CPU for ${SEQUENTIAL + PARALLEL + 1} jobs | | ${cpuUsed.toFixed(2)} s (${((cpuUsed / (SEQUENTIAL + PARALLEL + 1)) * 1000).toFixed(0)} ms/job) |`);
    say(`| agent peak RSS | | ${rss.toFixed(0)} MiB |`);
    say('');
    const overhead = agentMedian - floorMedian;
    say(`median ratio agent/floor: ${(agentMedian / floorMedian).toFixed(2)}; overhead ${fmt(overhead)} (target ≤ 150 ms: ${overhead <= 150 ? 'met' : 'NOT met'})`);
  } finally {
    await stopAgent(agent);
    backend.close();
  }
}

async function runJob(backend: EmbeddedBackend): Promise<number> {
  const started = performance.now();
  const done = await backend.submit({
    job_id: randomUUID(),
    course_id: TASK.course,
    task_id: TASK.task,
    task_problems: {},
    inputdata: INPUT,
    environment_type: 'docker',
    environment: 'default',
    environment_parameters: { limits: { time: 30, memory: 100 } },
    debug: false,
  });
  if (done.result[0] !== 'success') throw new Error(`benchmark job ended as ${done.result[0]}: ${done.result[1]}`);
  return performance.now() - started;
}

main().catch((error: Error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
