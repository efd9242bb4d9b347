import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { LABEL_AGENT_ID, LABEL_ROLE } from '../../src/docker/docker.labels';
import { agentHarness } from '../support/agent-harness';
import type { AgentProcess } from '../support/agent-process';
import { containersOf, untilOnlyWarmPoolLeft } from '../support/docker-state';
import { newJob, SAMPLE_INPUT } from '../support/job-requests';
import { expectSingleDone, runJob } from '../support/run-job';
import { untilTrue } from '../support/wait';

const LIMIT_MIB = 64;
const MAX_ENTRIES = 2_000;
const PER_JOB = 3;
const MIB = 1024 * 1024;

const diskJob = (scenario: string, inputs: Record<string, string> = {}) =>
  newJob('testcourse', 'disk-writer', {
    limits: { disk: LIMIT_MIB, time: 30, hard_time: 60 },
    inputdata: { ...SAMPLE_INPUT, scenario, mib: String(2 * LIMIT_MIB), ...inputs },
  });

/**
 * The most disk the agent's jobs held at once while `run` ran: its work folder and its containers' writable layers,
 * counted with `du` every 100 ms. (The free space of this shared host moves with other engineers' work by more than
 * the limit, so it cannot be the measure.)
 */
async function peakDiskWhile<T>(agent: AgentProcess, run: () => Promise<T>): Promise<{ result: T; peakBytes: number }> {
  const exec = promisify(execFile);
  const layers = new Map<string, string>();
  let peakBytes = 0;
  let active = true;
  const sample = async () => {
    const ids = containersOf(agent.agentId);
    for (const id of ids.filter((id) => !layers.has(id))) {
      const { stdout } = await exec('docker', ['inspect', '-f', '{{.GraphDriver.Data.UpperDir}}', id]).catch(() => ({ stdout: '' }));
      if (stdout.trim()) layers.set(id, stdout.trim());
    }
    const paths = [agent.workDir, ...ids.flatMap((id) => layers.get(id) ?? [])];
    const { stdout } = await exec('du', ['-s', '-B1', '--total', ...paths]).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
    const total = /^(\d+)\s+total$/m.exec(stdout)?.[1];
    if (total) peakBytes = Math.max(peakBytes, Number(total));
  };
  const sampling = (async () => {
    while (active) {
      await sample();
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    const result = await run();
    return { result, peakBytes };
  } finally {
    active = false;
    await sampling;
  }
}

/** Polls `docker ps` for the agent's running student containers and keeps the highest count seen. */
function watchRunningStudents(agent: AgentProcess): { stop: () => Promise<number> } {
  let highest = 0;
  let active = true;
  const poll = (async () => {
    while (active) {
      const { stdout } = await promisify(execFile)('docker', [
        'ps', '-q', '--filter', `label=${LABEL_AGENT_ID}=${agent.agentId}`, '--filter', `label=${LABEL_ROLE}=student`,
      ]);
      highest = Math.max(highest, stdout.split('\n').filter(Boolean).length);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    stop: async () => {
      active = false;
      await poll;
      return highest;
    },
  };
}

describe('one job cannot starve the host: disk limit and student-container budget (real Docker, built agent)', () => {
  const { backend, agent } = agentHarness({
    env: { AGENT_DISK_MAX_ENTRIES: String(MAX_ENTRIES), AGENT_STUDENT_CONTAINERS_PER_JOB: String(PER_JOB), AGENT_WARM_POOL: '0' },
  });

  // AgentJobDone comes before the clean-up (early done): wait for it, then nothing may be left
  afterEach(async () => {
    expect(await untilOnlyWarmPoolLeft(agent(), 0)).toEqual([]);
  });

  // the detection runs beside the connection to the backend: its line may come just after AgentHello
  it('logs at start which method enforces the disk limit (this engine: overlay2 over extfs → measured)', async () => {
    await untilTrue('the disk limit method logged', () => agent().logged('disk limit: job folders and container layers measured by the agent') || agent().logged('capped by the engine'), 10_000);
  });

  it.each([
    ['task', 'into /task'],
    ['layer', 'into its container layer (/tmp)'],
    ['student-task', 'through a student container, into /task/student'],
  ])('a job writing 2× its disk limit %s (%s) ends overflow naming the limit; the job never held much more than the limit', async (scenario) => {
    const job = diskJob(scenario);
    const { result: done, peakBytes } = await peakDiskWhile(agent(), () => runJob(backend(), job));
    expect(done.result).toEqual([
      'overflow',
      `The job wrote more than its disk limit of ${LIMIT_MIB} MiB (files in /task, /sockets and the containers' own files) and was stopped.`,
    ]);
    expect(done.state).toBe(SAMPLE_INPUT['@state']);
    expect(peakBytes).toBeGreaterThan(LIMIT_MIB * MIB * 0.5);
    expect(peakBytes).toBeLessThan(1.25 * LIMIT_MIB * MIB);
    await expectSingleDone(backend(), job.job_id);
  });

  it('a student container filling its own layer is stopped alone with 252; the job goes on', async () => {
    const done = await runJob(backend(), diskJob('student-layer'));
    expect(done.result).toEqual(['success', 'retval=252']);
  });

  it('a job within its limit is untouched', async () => {
    const done = await runJob(backend(), diskJob('task', { mib: String(LIMIT_MIB / 2) }));
    expect(done.result).toEqual(['success', `wrote ${LIMIT_MIB / 2} MiB`]);
  });

  it('a job making more files than the entry bound ends overflow with a text saying so', async () => {
    const done = await runJob(backend(), diskJob('files', { count: String(5 * MAX_ENTRIES) }));
    expect(done.result).toEqual([
      'overflow',
      `The job created more than ${MAX_ENTRIES} files and folders, the most one job may have on this agent, and was stopped.`,
    ]);
  });

  it(`20 run_student at once: never more than ${PER_JOB} running, all 20 complete`, async () => {
    const watcher = watchRunningStudents(agent());
    const job = newJob('testcourse', 'student-burst', { limits: { time: 60, hard_time: 120, memory: 500 }, inputdata: { ...SAMPLE_INPUT, count: '20' } });
    const done = await runJob(backend(), job, 120_000);
    const highest = await watcher.stop();
    expect(done.result).toEqual(['success', '20 of 20 returned 0']);
    expect(highest).toBeGreaterThan(0);
    expect(highest).toBeLessThanOrEqual(PER_JOB);
    const started = agent().logs.filter((line) => line.includes('student container started') && line.includes(job.job_id));
    expect(started).toHaveLength(20);
  });

  it('a job ending while run_student requests wait: they are dropped, one AgentJobDone, nothing left', async () => {
    const job = newJob('testcourse', 'student-burst', { limits: { time: 30, hard_time: 3, memory: 500 }, inputdata: { ...SAMPLE_INPUT, count: '20' } });
    const done = await runJob(backend(), job);
    expect(done.result).toEqual(['timeout', '']);
    // the drop is logged as the job closes, so its line may reach the test after the AgentJobDone
    await untilTrue('dropped requests logged', () => agent().logs.some((line) => line.includes('waiting run_student dropped') && line.includes(job.job_id)), 10_000);
    await expectSingleDone(backend(), job.job_id);
  });
});

describe('the host guard: below the free-space threshold the largest writer is stopped (real Docker, built agent)', () => {
  // a threshold above any real free space: the host is "low" from the start
  const { backend, agent } = agentHarness({ env: { AGENT_DISK_MIN_FREE_MIB: String(1 << 30), AGENT_WARM_POOL: '0' } });

  it('a writing job ends overflow with a text about the host, and the agent goes on', async () => {
    const done = await runJob(backend(), diskJob('layer'));
    expect(done.result[0]).toBe('overflow');
    expect(done.result[1]).toMatch(/^The grading host was running out of disk space \(\d+ MiB free\) and this job, its largest writer \(\d+ MiB\), was stopped\. Please submit again later\.$/);
    expect(agent().logs.some((line) => line.includes('host disk space low'))).toBe(true);
    expect(await untilOnlyWarmPoolLeft(agent(), 0)).toEqual([]);
  });
});
