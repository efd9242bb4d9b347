import type { ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { spawnAgent } from '../demo/agent-child';

export const REPO = resolve(__dirname, '..', '..');

/**
 * The built agent for a benchmark, quiet (warnings only) unless `env` says otherwise, its work folder and log under
 * .cache/<name>-*.
 */
export function spawnBenchAgent(
  backend: { address: string },
  name: string,
  tasksDir: string,
  concurrency: number,
  env: Record<string, string> = {},
): ChildProcess {
  return spawnAgent(
    {
      AGENT_BACKEND_ADDR: backend.address,
      AGENT_TASKS_DIR: tasksDir,
      AGENT_TMP_DIR: join(REPO, '.cache', `${name}-work`),
      AGENT_CONCURRENCY: String(concurrency),
      AGENT_LOG_LEVEL: 'warn',
      ...env,
    },
    join(REPO, '.cache', `${name}-agent.log`),
  );
}
