import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { until } from './wait';
import { LABEL_AGENT_ID, LABEL_ROLE, type ContainerRole } from '../../src/docker/docker.labels';

/** Runs the docker CLI and returns its trimmed standard output (throws when it fails). */
export function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export interface ContainersFilter {
  /** only running containers (default: all, stopped ones included) */
  running?: boolean;
  /** only containers in this role (grading or student) */
  role?: ContainerRole;
}

/** Full ids of the containers labelled as the given agent's, per `docker ps`. */
export function containersOf(agentId: string, { running = false, role }: ContainersFilter = {}): string[] {
  const filters = ['--filter', `label=${LABEL_AGENT_ID}=${agentId}`, ...(role ? ['--filter', `label=${LABEL_ROLE}=${role}`] : [])];
  return docker('ps', ...(running ? [] : ['-a']), '-q', '--no-trunc', ...filters)
    .split('\n')
    .filter(Boolean);
}

/** `docker rm -f` on these containers; ones already gone are fine. */
export function removeContainers(ids: readonly string[]): void {
  if (ids.length > 0) spawnSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
}

/**
 * Waits until all that is left of an agent is its idle warm pool: running `warm` containers (at most `maxIdle`), each
 * with its job folder, and nothing else — no grading or student container, no other folder. Returns the warm ids.
 */
export async function untilOnlyWarmPoolLeft(agent: { agentId: string; workDir: string }, maxIdle: number): Promise<string[]> {
  return until(
    `only the idle warm pool (at most ${maxIdle}) left`,
    () => {
      const warm = containersOf(agent.agentId, { role: 'warm', running: true });
      const all = containersOf(agent.agentId);
      const folders = readdirSync(agent.workDir);
      return warm.length <= maxIdle && all.length === warm.length && folders.length === warm.length ? warm : undefined;
    },
    15_000,
  );
}
