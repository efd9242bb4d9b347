import { readdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import type Docker from 'dockerode';
import { LABEL_AGENT_ID, LABEL_ROLE } from '../docker/docker.labels';

export interface Leftovers {
  containers: string[];
  jobFolders: string[];
  ports: number[];
  /** idle warm-pool containers (each with its empty job folder): kept on purpose, not leaks */
  warmPool: number;
}

export interface AgentFootprint {
  agentId: string;
  workDir: string;
  ports: { first: number; last: number };
}

/**
 * What the agents still hold when no job runs: their containers (any state), job folders, and ports in their ranges.
 * A running warm-pool container and the folder it was created on are the pool, counted apart.
 */
export async function findLeftovers(docker: Docker, agents: readonly AgentFootprint[]): Promise<Leftovers> {
  const found: Leftovers = { containers: [], jobFolders: [], ports: [], warmPool: 0 };
  for (const agent of agents) {
    const containers = await docker.listContainers({ all: true, filters: { label: [`${LABEL_AGENT_ID}=${agent.agentId}`] } });
    const pool = containers.filter((c) => c.Labels[LABEL_ROLE] === 'warm' && c.State === 'running');
    const poolFolders = new Set(pool.flatMap((c) => c.Mounts.filter((m) => m.Destination === '/task').map((m) => dirname(m.Source))));
    found.warmPool += pool.length;
    found.containers.push(...containers.filter((c) => !pool.includes(c)).map((c) => `${c.Id.slice(0, 12)} (${c.State}, ${agent.agentId})`));
    const folders = (await readdir(agent.workDir).catch(() => [] as string[])).map((f) => `${agent.workDir}/${f}`);
    found.jobFolders.push(...folders.filter((folder) => !poolFolders.has(folder)));
    for (let port = agent.ports.first; port <= agent.ports.last; port++) if (!(await canBind(port))) found.ports.push(port);
  }
  return found;
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}
