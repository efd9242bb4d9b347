import { readdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import type Docker from 'dockerode';
import { LABEL_AGENT_ID } from '../docker/docker.labels';

export interface Leftovers {
  containers: string[];
  jobFolders: string[];
  ports: number[];
}

export interface AgentFootprint {
  agentId: string;
  workDir: string;
  ports: { first: number; last: number };
}

/** What the agents still hold when no job runs: their containers (any state), job folders, and ports in their ranges. */
export async function findLeftovers(docker: Docker, agents: readonly AgentFootprint[]): Promise<Leftovers> {
  const found: Leftovers = { containers: [], jobFolders: [], ports: [] };
  for (const agent of agents) {
    const containers = await docker.listContainers({ all: true, filters: { label: [`${LABEL_AGENT_ID}=${agent.agentId}`] } });
    found.containers.push(...containers.map((c) => `${c.Id.slice(0, 12)} (${c.State}, ${agent.agentId})`));
    const folders = await readdir(agent.workDir).catch(() => [] as string[]);
    found.jobFolders.push(...folders.map((f) => `${agent.workDir}/${f}`));
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
