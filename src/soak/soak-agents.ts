import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { spawnAgent, stopAgent } from '../demo/agent-child';
import { UsageSeries } from './usage-series';

export interface SoakAgentSettings {
  name: string;
  agentId: string;
  workDir: string;
  logDir: string;
  ports: { first: number; last: number };
  concurrency: number;
  tasksDir: string;
  backendAddress: string;
}

/** One agent of the soak, as operators run it (`node dist/main.js`), that chaos may SIGKILL and start again. */
export class SoakAgent {
  readonly series: UsageSeries[] = [];
  private child!: ChildProcess;
  private starts = 0;

  constructor(readonly settings: SoakAgentSettings) {}

  start(): void {
    const s = this.settings;
    this.child = spawnAgent(
      {
        AGENT_BACKEND_ADDR: s.backendAddress,
        AGENT_FRIENDLY_NAME: s.name,
        AGENT_ID: s.agentId,
        AGENT_TASKS_DIR: s.tasksDir,
        AGENT_TMP_DIR: s.workDir,
        AGENT_CONCURRENCY: String(s.concurrency),
        AGENT_DEBUG_PORTS: `${s.ports.first}-${s.ports.last}`,
        AGENT_LOG_LEVEL: 'info',
      },
      join(s.logDir, `${s.name}.${++this.starts}.log`),
    );
    this.series.push(new UsageSeries(s.name, this.child.pid as number));
  }

  async killAndRestart(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
    this.start();
  }

  stop(): Promise<void> {
    return stopAgent(this.child);
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  sample(t: number): void {
    this.series.at(-1)?.sample(t);
  }
}
