import { join } from 'node:path';
import { createDockerClient } from '../docker/docker.client';
import { BenchAgent, type BenchTask } from './agent-run';
import { REPO } from './bench-agent';
import { EngineFloor } from './engine-floor';
import { type InterleavedSettings, measureInTurns, type TaskMeasures } from './interleaved-run';
import { median, percentile } from './process-usage';

const IMAGE = 'inginious-agent-sample/default:latest';
const INPUT = { q1: 'benchmark', '@username': 'bench', '@lang': 'en', '@state': '' };
/** the targets are for a trivial task; `hello` shows how much of the gain a task's own work leaves */
const TASKS: { label: string; task: BenchTask; targets: boolean }[] = [
  { label: 'trivial task (sample/trivial: one feedback command)', task: { course: 'sample', task: 'trivial', input: INPUT }, targets: true },
  { label: 'sample/hello (five feedback commands)', task: { course: 'sample', task: 'hello', input: INPUT }, targets: false },
];
const SETTINGS: InterleavedSettings = {
  sequential: Number(process.env.BENCH_SEQUENTIAL ?? 20),
  gapMs: Number(process.env.BENCH_GAP_MS ?? 1000),
  parallel: Number(process.env.BENCH_PARALLEL ?? 20),
  rounds: Number(process.env.BENCH_ROUNDS ?? 4),
  concurrency: 2,
};

const say = (line: string) => process.stdout.write(`${line}\n`);
const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
const verdict = (met: boolean) => (met ? 'met' : 'NOT met');

/**
 * `npm run bench` (part 1): job latency and throughput of the agent, cold (a container made per job) and warm (the warm
 * pool), two agents taking turns in one run, against the floor of the cold work done straight through the Engine API.
 */
async function main(): Promise<void> {
  const docker = createDockerClient();
  const floors = new Map<BenchTask, number[]>();
  for (const { task } of TASKS) floors.set(task, await measureFloor(docker, task));

  say(`agents cold (AGENT_WARM_POOL=0) and warm, in turns, per task: ${SETTINGS.sequential} sequential jobs each ${SETTINGS.gapMs} ms apart, then ${SETTINGS.rounds} rounds each of ${SETTINGS.parallel} jobs at concurrency ${SETTINGS.concurrency}`);
  const cold = await BenchAgent.start('cold', { AGENT_WARM_POOL: '0' }, SETTINGS.concurrency);
  const warm = await BenchAgent.start('warm', {}, SETTINGS.concurrency);
  try {
    for (const { label, task, targets } of TASKS) {
      const [coldRun, warmRun] = await measureInTurns([cold, warm], task, SETTINGS);
      const floorMs = floors.get(task) as number[];
      const coldAfter = cold.afterResultMs(coldRun.jobIds);
      const warmAfter = warm.afterResultMs(warmRun.jobIds);
      report(label, floorMs, [coldRun, coldAfter], [warmRun, warmAfter]);
      if (targets) judge(floorMs, coldRun, warmRun, warmAfter);
    }
    const pool = await warm.idlePool(docker);
    say('');
    say(`agent CPU per job, pool work included: cold ${fmt(cold.cpuMsPerJob())}, warm ${fmt(warm.cpuMsPerJob())}`);
    say(`agent peak RSS: cold ${cold.peakRssMiB().toFixed(0)} MiB, warm ${warm.peakRssMiB().toFixed(0)} MiB`);
    say(`idle warm pool at the end: ${pool.containers} containers, ${pool.rssMiB.toFixed(0)} MiB RSS`);
  } finally {
    await Promise.all([cold.stop(), warm.stop()]);
  }
}

async function measureFloor(docker: ReturnType<typeof createDockerClient>, task: BenchTask): Promise<number[]> {
  say(`floor: ${SETTINGS.sequential} runs of ${IMAGE} (${task.course}/${task.task}) straight through the Engine API`);
  const floor = new EngineFloor(docker, IMAGE, join(REPO, 'tasks', task.course, task.task));
  await floor.runOnce(task.input); // warm-up: page cache, image layers
  const runs: number[] = [];
  for (let i = 0; i < SETTINGS.sequential; i++) runs.push(await floor.runOnce(task.input));
  floor.dispose();
  return runs;
}

/** `cold` and `warm`: what each agent did, and how long after the result frame each of its AgentJobDone went. */
function report(label: string, floorMs: number[], [cold, coldAfter]: [TaskMeasures, number[]], [warm, warmAfter]: [TaskMeasures, number[]]): void {
  say('');
  say(`### ${label}`);
  say('| measure | floor (Engine API only, cold) | agent, cold | agent, warm | warm / cold |');
  say('|---|---|---|---|---|');
  const row = (measure: string, floorValue: string, coldValue: number, warmValue: number, show: (n: number) => string) =>
    say(`| ${measure} | ${floorValue} | ${show(coldValue)} | ${show(warmValue)} | ${(warmValue / coldValue).toFixed(2)} |`);
  row('latency median', fmt(median(floorMs)), median(cold.latenciesMs), median(warm.latenciesMs), fmt);
  row('latency p95', fmt(percentile(floorMs, 95)), percentile(cold.latenciesMs, 95), percentile(warm.latenciesMs, 95), fmt);
  row(`throughput at concurrency ${SETTINGS.concurrency}`, '', cold.jobsPerSecond, warm.jobsPerSecond, (n) => `${n.toFixed(2)} jobs/s`);
  row('AgentJobDone after the result frame, median', '', median(coldAfter), median(warmAfter), (n) => `${n.toFixed(1)} ms`);
  row('AgentJobDone after the result frame, p95', '', percentile(coldAfter, 95), percentile(warmAfter, 95), (n) => `${n.toFixed(1)} ms`);
}

function judge(floorMs: number[], cold: TaskMeasures, warm: TaskMeasures, warmAfterResultMs: number[]): void {
  say('');
  const overhead = median(cold.latenciesMs) - median(floorMs);
  const ratio = median(warm.latenciesMs) / median(cold.latenciesMs);
  const afterResult = percentile(warmAfterResultMs, 95);
  say(`cold agent overhead over the floor: ${fmt(overhead)} (target ≤ 150 ms: ${verdict(overhead <= 150)})`);
  say(`median latency warm/cold: ${ratio.toFixed(2)} (target ≤ 0.55: ${verdict(ratio <= 0.55)})`);
  say(`AgentJobDone after the result frame, p95: ${afterResult.toFixed(1)} ms (target ≤ 30 ms: ${verdict(afterResult <= 30)})`);
  say(`throughput warm/cold: ${(warm.jobsPerSecond / cold.jobsPerSecond).toFixed(2)} (target ≥ 1: ${verdict(warm.jobsPerSecond >= cold.jobsPerSecond)})`);
}

main().catch((error: Error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
