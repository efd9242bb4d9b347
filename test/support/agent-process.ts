import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FakeBackend } from './fake-backend';

export const REPO = resolve(__dirname, '../..');

/** A tasks folder holding the sample course and the test-only course side by side (as symlinks). */
export function makeTasksDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'agent-tasks-'));
  symlinkSync(join(REPO, 'tasks', 'sample'), join(dir, 'sample'));
  symlinkSync(join(REPO, 'test', 'fixtures', 'tasks', 'testcourse'), join(dir, 'testcourse'));
  return dir;
}

/**
 * The built agent (`node dist/main.js`, as operators start it) in a child process, configured through its
 * environment (and a command line, when given), connected to a FakeBackend. Its log lines are kept for assertions and shown when a test fails.
 */
export class AgentProcess {
  readonly logs: string[] = [];
  private exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly workDir: string,
    readonly agentId: string,
  ) {
    const keep = (chunk: Buffer) => this.logs.push(...chunk.toString().split('\n').filter(Boolean));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((done) => child.on('exit', (code) => done(code)));
  }

  /** `args`: the command line after `dist/main.js` (the Python agent's options); none by default. */
  static async start(backend: FakeBackend, env: Record<string, string> = {}, args: string[] = []): Promise<AgentProcess> {
    const workDir = env.AGENT_TMP_DIR ?? mkdtempSync(join(tmpdir(), 'agent-work-'));
    mkdirSync(workDir, { recursive: true });
    const agentId = env.AGENT_ID ?? `test-${process.pid}-${Date.now().toString(36)}`;
    const since = backend.mark();
    const child = spawn(process.execPath, [join(REPO, 'dist', 'main.js'), ...args], {
      cwd: REPO,
      env: {
        PATH: process.env.PATH,
        AGENT_BACKEND_ADDR: backend.address,
        AGENT_FRIENDLY_NAME: 'test-agent',
        AGENT_CONCURRENCY: '2',
        AGENT_TASKS_DIR: makeTasksDir(),
        AGENT_TMP_DIR: workDir,
        AGENT_ID: agentId,
        AGENT_LOG_FORMAT: 'json',
        AGENT_LOG_LEVEL: 'debug',
        // several agents run at once in some tests: no HTTP endpoint unless a test asks for one (on a free port)
        AGENT_HTTP_PORT: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const agent = new AgentProcess(child, workDir, agentId);
    await backend.waitFor('AgentHello', { since, timeoutMs: 20_000 }).catch((error: Error) => {
      child.kill('SIGKILL');
      throw new Error(`${error.message}\n--- agent log ---\n${agent.logs.join('\n')}`);
    });
    return agent;
  }

  /** Sends a signal and waits for the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }

  logged(event: string): boolean {
    return this.logs.some((line) => line.includes(event));
  }
}
