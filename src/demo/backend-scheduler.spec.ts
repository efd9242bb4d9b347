import { beforeEach, describe, expect, it } from 'vitest';
import type { AgentHello } from '../backend/backend.messages';
import { BackendScheduler, type SubmittedJob } from './backend-scheduler';
import type { ReceivedJobDone } from './received-job-done';

const hello = (name: string, slots: number): AgentHello => ({
  friendly_name: name,
  available_job_slots: slots,
  available_environments: { docker: { default: { id: 'sha256:x', title: 'x', created: 0, ports: [], runtime: 'runc', advertised: true } } },
  '@type': 'AgentHello',
});
const job = (id: string, environment = 'default'): SubmittedJob => ({ job_id: id, environment_type: 'docker', environment, inputdata: { '@state': 's' } });
const agentDone = (id: string): ReceivedJobDone => ({
  job_id: id, result: ['success', ''], grade: 100, problems: {}, tests: {}, custom: {}, state: '', archive: null, stdout: null, stderr: null,
  '@type': 'AgentJobDone',
});

describe('BackendScheduler (INGInious backend scheduling)', () => {
  let sent: Array<[string, Record<string, unknown>]>;
  let ended: Map<string, ReceivedJobDone[]>;
  let scheduler: BackendScheduler;
  const sentJobs = (agent: string) => sent.filter(([a, m]) => a === agent && m['@type'] === 'BackendNewJob').map(([, m]) => m.job_id);

  beforeEach(() => {
    sent = [];
    ended = new Map();
    scheduler = new BackendScheduler({
      toAgent: (agent, message) => sent.push([agent, message]),
      jobEnded: (jobId, done) => ended.set(jobId, [...(ended.get(jobId) ?? []), done]),
    });
  });

  it('fills free slots in announcement order, and a freed slot takes the next waiting job', () => {
    scheduler.hello('A', hello('a', 2));
    scheduler.hello('B', hello('b', 1));
    for (const id of ['1', '2', '3', '4']) scheduler.submit(job(id));
    expect(sentJobs('A')).toEqual(['1', '2']);
    expect(sentJobs('B')).toEqual(['3']);
    expect(scheduler.jobDone('B', agentDone('3'))).toBe(true);
    expect(sentJobs('B')).toEqual(['3', '4']);
    expect(ended.get('3')).toMatchObject([{ result: ['success', ''] }]);
  });

  it('a job waits for an agent that has its environment', () => {
    scheduler.hello('A', hello('a', 1));
    scheduler.submit(job('1', 'other'));
    expect(sent).toEqual([]);
    expect(scheduler.pending).toBe(1);
  });

  it('a second hello from an agent drops it first: its running jobs end as crash "Agent restarted"', () => {
    scheduler.hello('A', hello('a', 1));
    scheduler.submit(job('1'));
    scheduler.hello('A', hello('a', 1));
    expect(ended.get('1')).toMatchObject([{ result: ['crash', 'Agent restarted'], grade: 0, state: '' }]);
    expect(scheduler.jobDone('A', agentDone('1'))).toBe(false);
    expect(ended.get('1')).toHaveLength(1);
  });

  it('more than five unanswered pings drop the agent; a pong resets the count', () => {
    scheduler.hello('A', hello('a', 1));
    scheduler.submit(job('1'));
    for (let i = 0; i < 6; i++) expect(scheduler.pingRound()).toEqual(['A']);
    scheduler.pong('A');
    for (let i = 0; i < 6; i++) scheduler.pingRound();
    expect(ended.has('1')).toBe(false);
    expect(scheduler.pingRound()).toEqual([]);
    expect(ended.get('1')).toMatchObject([{ result: ['crash', 'Agent restarted'] }]);
  });

  it('an AgentJobDone from an agent that never said hello is ignored', () => {
    scheduler.hello('A', hello('a', 1));
    scheduler.submit(job('1'));
    expect(scheduler.jobDone('Z', agentDone('1'))).toBe(false);
    expect(ended.has('1')).toBe(false);
  });

  it('kill: a waiting job ends killed at once; a running one is killed by its agent with its state', () => {
    scheduler.hello('A', hello('a', 1));
    scheduler.submit(job('1'));
    scheduler.submit(job('2'));
    scheduler.kill('2');
    expect(ended.get('2')).toMatchObject([{ result: ['killed', 'You killed the job'], state: 's' }]);
    scheduler.kill('1');
    expect(sent.at(-1)).toEqual(['A', { '@type': 'BackendKillJob', job_id: '1', state: 's' }]);
  });
});
