import { execFileSync } from 'node:child_process';
import type { AgentProcess } from './agent-process';
import type { FakeBackend } from './fake-backend';
import { runJob, type JobDone } from './run-job';
import { untilTrue } from './wait';

const count = (agent: AgentProcess, message: string) => agent.logs.filter((line) => line.includes(`"msg":"${message}"`)).length;

/** Whether the agent ran this job in a container from its warm pool (its log says so). */
export function ranWarm(agent: AgentProcess, jobId: string): boolean {
  return agent.logs.some((line) => line.includes('"msg":"warm container taken"') && line.includes(jobId));
}

/** Waits until the agent's pool holds an idle container (made, and not yet taken or thrown away), per its debug log. */
export async function untilWarmIdle(agent: AgentProcess, timeoutMs = 30_000): Promise<void> {
  const gone = ['warm container taken', 'warm container unfit: cold start instead', 'warm container died while idle: removed', 'warm container evicted for a kind in more recent use', 'warm container of a replaced image removed'];
  await untilTrue(
    'an idle warm container',
    () => count(agent, 'warm container ready') - gone.reduce((sum, message) => sum + count(agent, message), 0) >= 1,
    timeoutMs,
  );
}

/** Runs a job once the pool has a container for it, and checks it did run warm. */
export async function runWarmJob(backend: FakeBackend, agent: AgentProcess, job: { job_id: string }, timeoutMs?: number): Promise<JobDone> {
  await untilWarmIdle(agent);
  const done = await runJob(backend, job, timeoutMs);
  if (!ranWarm(agent, job.job_id)) throw new Error(`job ${job.job_id} did not run in a warm container`);
  return done;
}

/** What must not depend on how the container was made: everything but timings, archive members by name. */
export function comparableOutcome(done: JobDone): Record<string, unknown> {
  const { job_id: _id, archive, ...rest } = done;
  const members = Buffer.isBuffer(archive)
    ? execFileSync('tar', ['-tzf', '-'], { input: archive, encoding: 'utf8' }).split('\n').filter(Boolean).sort()
    : archive;
  return { ...rest, archive: members };
}
