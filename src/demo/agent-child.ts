import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The agent as operators run it (`node dist/main.js`), in a child process whose log goes to a file. No HTTP endpoint
 * unless AGENT_HTTP_PORT is set: the default port would collide with an agent already running on this machine.
 */
export function spawnAgent(env: Record<string, string>, logFile: string): ChildProcess {
  mkdirSync(dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [join(__dirname, '..', 'main.js')], {
    env: { AGENT_HTTP_PORT: '0', ...process.env, AGENT_LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

export function stopAgent(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
