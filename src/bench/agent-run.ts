import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { stopAgent } from '../demo/agent-child';
import { EmbeddedBackend } from '../demo/embedded-backend';
import { LABEL_AGENT_ID, LABEL_ROLE } from '../docker/docker.labels';
import { spawnBenchAgent } from './bench-agent';
import { cpuSeconds, peakRssMiB } from './process-usage';

export interface AgentRunSettings {
  repo: string;
  task: { course: string; task: string };
  input: Record<string, string>;
  sequential: number;
  /** pause between sequential jobs: a warm pool refills meanwhile, as it does between real submissions */
  gapMs: number;
  parallel: number;
  concurrency: number;
}

export interface AgentRunResult {
  latenciesMs: number[];
  jobsPerSecond: number;
  cpuMsPerJob: number;
  peakRssMiB: number;
  /** from the agent's "job done" lines: AgentJobDone sent this long after the result frame */
  afterResultMs: number[];
  /** resident memory of the idle warm containers left at the end, summed */
  idlePool: { containers: number; rssMiB: number };
}

/** One agent (`node dist/main.js`) with extra settings: sequential latency, then throughput at its concurrency. */
export async function measureAgent(name: string, env: Record<string, string>, settings: AgentRunSettings, docker: Docker): Promise<AgentRunResult> {
  const agentId = `bench-${name}-${process.pid}`;
  const logFile = join(settings.repo, '.cache', `bench-${name}-agent.log`);
  const backend = await EmbeddedBackend.start();
  const agent = spawnBenchAgent(backend, `bench-${name}`, join(settings.repo, 'tasks'), settings.concurrency, {
    AGENT_ID: agentId,
    AGENT_LOG_LEVEL: 'info', // its "job done" lines say how long after the result frame AgentJobDone went
    ...env,
  });
  try {
    await backend.whenAgentConnected();
    const pid = agent.pid as number;
    const cpuBefore = cpuSeconds(pid);
    const pause = () => new Promise((r) => setTimeout(r, settings.gapMs));
    await runJob(backend, settings); // warm-up (and, warm, the pool learns the environment)
    await pause();
    const latenciesMs: number[] = [];
    for (let i = 0; i < settings.sequential; i++) {
      latenciesMs.push(await runJob(backend, settings));
      await pause();
    }
    const started = performance.now();
    let next = 0;
    const worker = async () => {
      while (next++ < settings.parallel) await runJob(backend, settings);
    };
    await Promise.all(Array.from({ length: settings.concurrency }, worker));
    const jobsPerSecond = settings.parallel / ((performance.now() - started) / 1000);
    const jobs = settings.sequential + settings.parallel + 1;
    const cpuMsPerJob = ((cpuSeconds(pid) - cpuBefore) / jobs) * 1000;
    await new Promise((r) => setTimeout(r, 3000)); // the pool refills after the last jobs
    return {
      latenciesMs,
      jobsPerSecond,
      cpuMsPerJob,
      peakRssMiB: peakRssMiB(pid),
      afterResultMs: afterResultTimes(logFile),
      idlePool: await idlePoolMemory(docker, agentId),
    };
  } finally {
    await stopAgent(agent);
    backend.close();
  }
}

async function runJob(backend: EmbeddedBackend, settings: AgentRunSettings): Promise<number> {
  const started = performance.now();
  const done = await backend.submit({
    job_id: randomUUID(),
    course_id: settings.task.course,
    task_id: settings.task.task,
    task_problems: {},
    inputdata: settings.input,
    environment_type: 'docker',
    environment: 'default',
    environment_parameters: { limits: { time: 30, memory: 100 } },
    debug: false,
  });
  if (done.result[0] !== 'success') throw new Error(`benchmark job ended as ${done.result[0]}: ${done.result[1]}`);
  return performance.now() - started;
}

function afterResultTimes(logFile: string): number[] {
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"afterResultMs"'))
    .map((line) => (JSON.parse(line) as { afterResultMs: number }).afterResultMs);
}

async function idlePoolMemory(docker: Docker, agentId: string): Promise<{ containers: number; rssMiB: number }> {
  const warm = await docker.listContainers({ filters: { label: [`${LABEL_AGENT_ID}=${agentId}`, `${LABEL_ROLE}=warm`], status: ['running'] } });
  let bytes = 0;
  for (const container of warm) {
    const stats = (await docker.getContainer(container.Id).stats({ stream: false })) as { memory_stats?: { stats?: Record<string, number> } };
    const memory = stats.memory_stats?.stats ?? {};
    bytes += memory.total_rss ?? memory.rss ?? memory.anon ?? 0;
  }
  return { containers: warm.length, rssMiB: bytes / 1024 / 1024 };
}
