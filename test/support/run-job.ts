import { expect } from 'vitest';
import type { FakeBackend } from './fake-backend';

export type JobDone = Record<string, unknown> & { result: [string, string]; grade: number; state: string };

/** Sends a job and returns its AgentJobDone, checking AgentJobStarted came first and nothing else came for it. */
export async function runJob(backend: FakeBackend, job: { job_id: string }, timeoutMs = 60_000): Promise<JobDone> {
  const since = backend.mark();
  await backend.send(job);
  const done = await backend.waitFor('AgentJobDone', { since, timeoutMs, where: (m) => m.job_id === job.job_id });
  const forJob = backend.received.slice(since).filter((m) => m.message?.job_id === job.job_id).map((m) => m.type);
  expect(forJob.slice(0, 2)).toEqual(['AgentJobStarted', 'AgentJobDone']);
  return done as JobDone;
}

/** Waits a little, then checks no second AgentJobDone came for the job. */
export async function expectSingleDone(backend: FakeBackend, jobId: string, waitMs = 500): Promise<void> {
  await new Promise((r) => setTimeout(r, waitMs));
  expect(backend.received.filter((m) => m.type === 'AgentJobDone' && m.message?.job_id === jobId)).toHaveLength(1);
}
