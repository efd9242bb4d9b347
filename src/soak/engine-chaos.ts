import { execFileSync, spawnSync } from 'node:child_process';
import type Docker from 'dockerode';
import { LABEL_AGENT_ID, LABEL_JOB_ID, LABEL_ROLE } from '../docker/docker.labels';

const POLL_MS = 250;
const WAIT_FOR_A_CONTAINER_MS = 15_000;

/**
 * Removes one or two running grading containers of this agent behind its back (`docker rm -f`), waiting a little for
 * one to run. Returns the ids of their jobs.
 */
export async function removeGradingContainers(docker: Docker, agentId: string, random: () => number): Promise<string[]> {
  const deadline = Date.now() + WAIT_FOR_A_CONTAINER_MS;
  for (;;) {
    const running = await docker.listContainers({ filters: { label: [`${LABEL_AGENT_ID}=${agentId}`, `${LABEL_ROLE}=grading`] } });
    if (running.length > 0 || Date.now() > deadline) {
      const victims = running.sort(() => random() - 0.5).slice(0, 1 + Math.floor(random() * 2));
      for (const victim of victims) await docker.getContainer(victim.Id).remove({ force: true }).catch(() => undefined);
      return victims.map((victim) => victim.Labels[LABEL_JOB_ID]).filter(Boolean);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * Restarts the Docker engine, which stops EVERY container on it (other users' too): the soak only does it when
 * `dockerd` is named. With systemd it is `systemctl restart docker`; otherwise dockerd gets SIGTERM and
 * scripts/ensure-docker.sh starts it again.
 */
export async function restartDockerd(docker: Docker, ensureDockerScript: string): Promise<void> {
  if (spawnSync('systemctl', ['is-active', '--quiet', 'docker']).status === 0) {
    execFileSync('systemctl', ['restart', 'docker'], { stdio: 'ignore' });
  } else {
    const pid = Number(execFileSync('pidof', ['dockerd'], { encoding: 'utf8' }).trim().split(' ')[0]);
    process.kill(pid, 'SIGTERM');
    while (spawnSync('pidof', ['dockerd']).status === 0) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    execFileSync('bash', [ensureDockerScript], { stdio: 'ignore' });
  }
  await docker.ping();
}
