import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { stopAgent } from '../demo/agent-child';
import { EmbeddedBackend } from '../demo/embedded-backend';
import { LABEL_AGENT_ID, LABEL_ROLE } from '../docker/docker.labels';
import { REPO, spawnBenchAgent } from './bench-agent';
import { cpuSeconds, peakRssMiB } from './process-usage';

export interface BenchTask {
  course: string;
  task: string;
  input: Record<string, string>;
}

/**
 * One built agent (`node dist/main.js`, sample course) with its own embedded backend, kept running for the whole bench
 * so that the cold and the warm agent can take turns under the same machine conditions.
 */
export class BenchAgent {
  private readonly cpuAtStart: number;
  private jobs = 0;

  private constructor(
    private readonly name: string,
    private readonly backend: EmbeddedBackend,
    private readonly agent: ChildProcess,
    private readonly agentId: string,
  ) {
    this.cpuAtStart = cpuSeconds(this.pid);
  }

  static async start(name: string, env: Record<string, string>, concurrency: number): Promise<BenchAgent> {
    const agentId = `bench-${name}-${process.pid}`;
    const backend = await EmbeddedBackend.start();
    const agent = spawnBenchAgent(backend, `bench-${name}`, join(REPO, 'tasks'), concurrency, {
      AGENT_ID: agentId,
      AGENT_LOG_LEVEL: 'info', // its "job done" lines say how long after the result frame AgentJobDone went
      ...env,
    });
    await backend.whenAgentConnected();
    return new BenchAgent(name, backend, agent, agentId);
  }

  get pid(): number {
    return this.agent.pid as number;
  }

  /** Runs one job to its `AgentJobDone`; resolves with its latency in ms and its id. */
  async runJob(task: BenchTask): Promise<{ ms: number; jobId: string }> {
    const jobId = randomUUID();
    const started = performance.now();
    const done = await this.backend.submit({
      job_id: jobId,
      course_id: task.course,
      task_id: task.task,
      task_problems: {},
      inputdata: task.input,
      environment_type: 'docker',
      environment: 'default',
      environment_parameters: { limits: { time: 30, memory: 100 } },
      debug: false,
    });
    if (done.result[0] !== 'success') throw new Error(`${this.name} agent: ${task.task} ended as ${done.result[0]}: ${done.result[1]}`);
    this.jobs++;
    return { ms: performance.now() - started, jobId };
  }

  /** Agent CPU (user + system) per job so far, pool work included, in ms. */
  cpuMsPerJob(): number {
    return ((cpuSeconds(this.pid) - this.cpuAtStart) / this.jobs) * 1000;
  }

  peakRssMiB(): number {
    return peakRssMiB(this.pid);
  }

  /** From the agent's "job done" lines: how long after the result frame each of these jobs' AgentJobDone went. */
  afterResultMs(jobIds: Set<string>): number[] {
    return readFileSync(join(REPO, '.cache', `bench-${this.name}-agent.log`), 'utf8')
      .split('\n')
      .filter((line) => line.includes('"afterResultMs"'))
      .map((line) => JSON.parse(line) as { jobId: string; afterResultMs: number })
      .filter((line) => jobIds.has(line.jobId))
      .map((line) => line.afterResultMs);
  }

  /** The idle warm containers this agent holds now, and their resident memory summed (Docker's stats). */
  async idlePool(docker: Docker): Promise<{ containers: number; rssMiB: number }> {
    const labels = [`${LABEL_AGENT_ID}=${this.agentId}`, `${LABEL_ROLE}=warm`];
    const warm = await docker.listContainers({ filters: { label: labels, status: ['running'] } });
    let bytes = 0;
    for (const container of warm) {
      const stats = (await docker.getContainer(container.Id).stats({ stream: false })) as { memory_stats?: { stats?: Record<string, number> } };
      const memory = stats.memory_stats?.stats ?? {};
      bytes += memory.total_rss ?? memory.rss ?? memory.anon ?? 0;
    }
    return { containers: warm.length, rssMiB: bytes / 1024 / 1024 };
  }

  async stop(): Promise<void> {
    await stopAgent(this.agent);
    this.backend.close();
  }
}
