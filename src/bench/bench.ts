import { join } from 'node:path';
import { createDockerClient } from '../docker/docker.client';
import { type AgentRunResult, type AgentRunSettings, measureAgent } from './agent-run';
import { REPO } from './bench-agent';
import { EngineFloor } from './engine-floor';
import { median, percentile } from './process-usage';

const IMAGE = 'inginious-agent-sample/default:latest';
const SETTINGS: AgentRunSettings = {
  repo: REPO,
  task: { course: 'sample', task: 'hello' },
  input: { q1: 'benchmark', '@username': 'bench', '@lang': 'en', '@state': '' },
  sequential: Number(process.env.BENCH_SEQUENTIAL ?? 20),
  gapMs: Number(process.env.BENCH_GAP_MS ?? 1000),
  parallel: Number(process.env.BENCH_PARALLEL ?? 40),
  concurrency: 2,
};

const say = (line: string) => process.stdout.write(`${line}\n`);
const fmt = (ms: number) => `${ms.toFixed(0)} ms`;

/**
 * `npm run bench` (part 1): job latency and throughput of the agent, cold (a container made per job) and warm (the warm
 * pool), side by side in one run, against the floor of the cold work done straight through the Engine API.
 */
async function main(): Promise<void> {
  const docker = createDockerClient();
  const { course, task } = SETTINGS.task;
  const floor = new EngineFloor(docker, IMAGE, join(REPO, 'tasks', course, task));
  say(`floor: ${SETTINGS.sequential} runs of ${IMAGE} (${course}/${task}) straight through the Engine API`);
  await floor.runOnce(SETTINGS.input); // warm-up: page cache, image layers
  const floorMs: number[] = [];
  for (let i = 0; i < SETTINGS.sequential; i++) floorMs.push(await floor.runOnce(SETTINGS.input));
  floor.dispose();

  const runs: [string, AgentRunResult][] = [];
  for (const [name, env] of [['cold', { AGENT_WARM_POOL: '0' }], ['warm', {}]] as const) {
    say(`agent, ${name}: ${SETTINGS.sequential} sequential jobs ${SETTINGS.gapMs} ms apart, then ${SETTINGS.parallel} at concurrency ${SETTINGS.concurrency}`);
    runs.push([name, await measureAgent(name, env, SETTINGS, docker)]);
  }
  const [[, cold], [, warm]] = runs;

  say('');
  say('| measure | floor (Engine API only, cold) | agent, cold | agent, warm | warm / cold |');
  say('|---|---|---|---|---|');
  const row = (measure: string, floorValue: string, of: (r: AgentRunResult) => number, show: (n: number) => string) =>
    say(`| ${measure} | ${floorValue} | ${show(of(cold))} | ${show(of(warm))} | ${(of(warm) / of(cold)).toFixed(2)} |`);
  row('latency median', fmt(median(floorMs)), (r) => median(r.latenciesMs), fmt);
  row('latency p95', fmt(percentile(floorMs, 95)), (r) => percentile(r.latenciesMs, 95), fmt);
  row(`throughput, ${SETTINGS.parallel} jobs at concurrency ${SETTINGS.concurrency}`, '', (r) => r.jobsPerSecond, (n) => `${n.toFixed(2)} jobs/s`);
  row('AgentJobDone after the result frame, median', '', (r) => median(r.afterResultMs), (n) => `${n.toFixed(1)} ms`);
  row('AgentJobDone after the result frame, p95', '', (r) => percentile(r.afterResultMs, 95), (n) => `${n.toFixed(1)} ms`);
  row('agent CPU per job', '', (r) => r.cpuMsPerJob, fmt);
  row('agent peak RSS', '', (r) => r.peakRssMiB, (n) => `${n.toFixed(0)} MiB`);
  say(`| idle warm pool at the end | | | ${warm.idlePool.containers} containers, ${warm.idlePool.rssMiB.toFixed(0)} MiB RSS | |`);
  say('');
  const overhead = median(cold.latenciesMs) - median(floorMs);
  say(`cold agent overhead over the floor: ${fmt(overhead)} (target ≤ 150 ms: ${overhead <= 150 ? 'met' : 'NOT met'})`);
  const ratio = median(warm.latenciesMs) / median(cold.latenciesMs);
  const afterResult = percentile(warm.afterResultMs, 95);
  say(`median latency warm/cold: ${ratio.toFixed(2)} (target ≤ 0.55: ${ratio <= 0.55 ? 'met' : 'NOT met'})`);
  say(`AgentJobDone after the result frame, p95: ${afterResult.toFixed(1)} ms (target ≤ 30 ms: ${afterResult <= 30 ? 'met' : 'NOT met'})`);
  say(`throughput warm/cold: ${(warm.jobsPerSecond / cold.jobsPerSecond).toFixed(2)} (target ≥ 1: ${warm.jobsPerSecond >= cold.jobsPerSecond ? 'met' : 'NOT met'})`);
}

main().catch((error: Error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
