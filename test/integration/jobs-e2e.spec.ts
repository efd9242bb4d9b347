import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { agentHarness } from '../support/agent-harness';
import { untilOnlyWarmPoolLeft } from '../support/docker-state';
import { newJob, SAMPLE_INPUT } from '../support/job-requests';
import { expectSingleDone, runJob } from '../support/run-job';

describe('grading jobs end to end (real Docker, real ZeroMQ, built agent)', () => {
  const { backend, agent } = agentHarness();

  it('announces the sample image', async () => {
    const hello = await backend().waitFor('AgentHello');
    const environments = hello.available_environments as Record<string, Record<string, { id: string }>>;
    expect(environments.docker.default.id).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('success with grade, feedback and archive', async () => {
    const done = await runJob(backend(), newJob('sample', 'hello'));
    expect(done.result).toEqual(['success', `Hello! You answered: ${SAMPLE_INPUT.q1}`]);
    expect(done.grade).toBe(100);
    expect(Buffer.isBuffer(done.archive)).toBe(true);
    expect(done.stdout).toBe('');
  });

  it('failed with a partial grade and problem feedback', async () => {
    const done = await runJob(backend(), newJob('sample', 'partial'));
    expect(done.result[0]).toBe('failed');
    expect(done.grade).toBe(40);
    expect(done.problems).toEqual({ q1: ['failed', '2 of 5 tests pass.'] });
  });

  it("the sample course's run_student task grades the student's program run in its own container", async () => {
    const job = newJob('sample', 'student-program', { inputdata: { ...SAMPLE_INPUT, q1: 'echo 6 x 7 = $((6 * 7))' } });
    const done = await runJob(backend(), job);
    expect(done.result).toEqual(['success', 'Your program ran in its own container and printed: 6 x 7 = 42']);
    expect(done.grade).toBe(100);
  });

  it('error reported by the grading script', async () => {
    const done = await runJob(backend(), newJob('sample', 'error'));
    expect(done.result).toEqual(['error', 'The grader is broken: reference solution missing.']);
    expect(done.grade).toBe(0);
  });

  it.each([
    ['sample', 'crash', /without returning a result/],
    ['testcourse', 'no-result', /without returning a result/],
    ['testcourse', 'bad-type', /unreadable.*grade/],
    ['testcourse', 'extra-key', /unreadable.*unexpected/],
    ['testcourse', 'garbage', /broke the protocol/],
    ['testcourse', 'frame-too-big', /exceeds the agent's limit of \d+ bytes \(AGENT_MAX_FRAME_BYTES\)/],
  ])('%s/%s → crash with a clear text, input state kept', async (course, task, text) => {
    const done = await runJob(backend(), newJob(course, task));
    expect(done.result[0]).toBe('crash');
    expect(done.result[1]).toMatch(text);
    expect(done.state).toBe(SAMPLE_INPUT['@state']);
    expect(done.archive).toBeNull();
  });

  it('unreadable and unknown messages are ignored, the result still counts', async () => {
    const done = await runJob(backend(), newJob('testcourse', 'noise-then-result'));
    expect(done.result).toEqual(['success', 'noise ignored']);
  });

  it.each([
    ['unknown environment', newJob('sample', 'hello', { environment: 'ghost' }), /environment docker\/ghost is not available/],
    ['missing task', newJob('sample', 'no-such-task'), /not on this agent/],
    ['path-like course id', newJob('../sample', 'hello'), /not a plain id/],
    ['path-like task id', newJob('sample', '../../etc'), /not a plain id/],
    ['memory above the per-slot maximum', newJob('sample', 'hello', { limits: { memory: 10_000_000 } }), /MiB of memory/],
    ['unparsable limits', newJob('sample', 'hello', { limits: { time: 'soon' } }), /limits.time/],
  ])('%s → crash before any container, nil stdout/stderr', async (_what, job, text) => {
    const done = await runJob(backend(), job);
    expect(done.result[0]).toBe('crash');
    expect(done.result[1]).toMatch(text);
    expect(done.stdout).toBeNull();
    expect(done.state).toBe(SAMPLE_INPUT['@state']);
  });

  it('kill of a running job → killed, with the job input @state', async () => {
    const job = newJob('testcourse', 'sleep');
    const since = backend().mark();
    await backend().send(job);
    await backend().waitFor('AgentJobStarted', { since, where: (m) => m.job_id === job.job_id });
    await new Promise((r) => setTimeout(r, 1500));
    await backend().send({ job_id: job.job_id, state: 'kill-state', '@type': 'BackendKillJob' });
    const done = await backend().waitFor('AgentJobDone', { since, timeoutMs: 20_000, where: (m) => m.job_id === job.job_id });
    expect(done.result).toEqual(['killed', '']);
    expect(done.state).toBe(SAMPLE_INPUT['@state']);
    await expectSingleDone(backend(), job.job_id);
  });

  it('kill of an unknown job → killed with the given state', async () => {
    const since = backend().mark();
    await backend().send({ job_id: 'never-seen', state: 'given-state', '@type': 'BackendKillJob' });
    const done = await backend().waitFor('AgentJobDone', { since, where: (m) => m.job_id === 'never-seen' });
    expect(done.result).toEqual(['killed', '']);
    expect(done.state).toBe('given-state');
  });

  it('an uploaded file reaches the container byte for byte', async () => {
    const bytes = Buffer.from([...Array(256).keys(), ...Array(44).fill(0).map((_, i) => [0, 255, 127, 128][i % 4])]);
    const job = newJob('testcourse', 'upload-digest', {
      inputdata: { ...SAMPLE_INPUT, upload: { filename: 'upload.bin', value: bytes } },
    });
    const done = await runJob(backend(), job);
    expect(done.result[1]).toContain(createHash('sha256').update(bytes).digest('hex'));
  });

  it('a 2 MB feedback comes back whole', async () => {
    const done = await runJob(backend(), newJob('testcourse', 'big-feedback'));
    expect(done.result[0]).toBe('success');
    expect(done.result[1]).toBe('0123456789abcdef'.repeat(131072));
  });

  it('every debug field comes back (grade, problems, tests, custom, state, stdout, stderr)', async () => {
    const done = await runJob(backend(), newJob('testcourse', 'all-fields', { debug: true }));
    expect(done).toMatchObject({
      result: ['failed', 'all fields set'],
      grade: 87.5,
      problems: { q1: ['failed', 'problem feedback é'] },
      custom: { extra: { n: 3, f: 1.5, b: true, z: null, l: [1, 'two'] } },
      state: 'new-state-✓',
      stdout: 'stdout: héllo ✓\nno newline at end',
      stderr: 'stderr: wörld\n',
    });
  });

  it('20 jobs at concurrency 2: exactly 20 AgentJobDone, nothing left behind', async () => {
    const jobs = Array.from({ length: 20 }, (_, i) => newJob('sample', i % 2 ? 'hello' : 'partial'));
    const since = backend().mark();
    const pending = [...jobs];
    const running = async () => {
      for (let job = pending.shift(); job; job = pending.shift()) await runJob(backend(), job);
    };
    await Promise.all([running(), running()]);
    await new Promise((r) => setTimeout(r, 500));
    expect(backend().count('AgentJobDone', since)).toBe(20);
    expect(backend().count('AgentJobStarted', since)).toBe(20);
    // What stays is the warm pool: at most the concurrency, idle, each with its empty job folder.
    await untilOnlyWarmPoolLeft(agent(), 2);
  });

  it('the agent is unharmed: still answering pings, no error logged as fatal', async () => {
    const since = backend().mark();
    await backend().ping();
    await backend().waitFor('Pong', { since });
    expect(agent().logs.filter((l) => l.includes('"level":60'))).toEqual([]);
  });
});
