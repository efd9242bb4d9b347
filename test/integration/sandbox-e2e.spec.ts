import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentHarness } from '../support/agent-harness';
import { makeTasksDir, type AgentProcess } from '../support/agent-process';
import { containersOf } from '../support/docker-state';
import { buildGeneration3SampleImage, removeTestImages } from '../support/grading-test-images';
import { newJob, SAMPLE_INPUT } from '../support/job-requests';
import { runJob } from '../support/run-job';

/**
 * Sandbox integrity (issue #8, docs/security.md): a hostile grading script swaps what the agent mounts into student
 * containers for links to a host folder holding a marker. The student container must never see the marker, nothing
 * may appear on the host outside the job folder, the job ends normally with the retval the script observed, and no
 * container or folder is left.
 */

/** A host folder with a marker file, checked untouched after each test. */
function hostFolder() {
  let dir = '';
  const marker = `HOST-MARKER-${randomUUID()}`;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandbox-host-'));
    writeFileSync(join(dir, 'marker'), marker);
  });
  afterEach(() => {
    const [entries, content] = [readdirSync(dir), readFileSync(join(dir, 'marker'), 'utf8')];
    rmSync(dir, { recursive: true, force: true });
    expect(entries).toEqual(['marker']);
    expect(content).toBe(marker);
  });
  return { dir: () => dir, marker };
}

/** The agent's JSON log lines for this job at this level (40 warn, 50 error). */
function logLines(agent: AgentProcess, jobId: string, level: number): Record<string, unknown>[] {
  return agent.logs
    .filter((line) => line.includes(jobId))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.level === level);
}

function expectNothingLeft(agent: AgentProcess): void {
  expect(containersOf(agent.agentId)).toEqual([]);
  expect(readdirSync(agent.workDir)).toEqual([]);
}

const generations = [
  { generation: 4, environment: 'default', image: undefined },
  { generation: 3, environment: 'gen3-sandbox', image: `inginious-agent-test/gen3-sandbox:${process.pid}` },
] as const;

describe.each(generations)('sandbox integrity against a hostile grading script, generation $generation, real Docker', ({ environment, image }) => {
  const { backend, agent } = agentHarness(
    image ? { prepare: () => buildGeneration3SampleImage(image, environment), cleanup: () => removeTestImages([image]) } : {},
  );
  const host = hostFolder();
  const attack = (scenario: string, limits: Record<string, unknown> = {}) =>
    newJob('testcourse', 'sandbox', { environment, limits, inputdata: { ...SAMPLE_INPUT, scenario, hostdir: host.dir() } });
  const feedback = (done: { result: [string, string] }) => {
    expect(done.result[0]).toBe('success');
    expect(done.result[1]).not.toContain(host.marker);
    return done.result[1];
  };

  it('/task/student, /task/student/scripts and /task/systemfiles swapped for links: the student container sees nothing of the host', async () => {
    const done = await runJob(backend(), attack('mounts'));
    expect(feedback(done)).toBe('retval=0 out=seen-nothing');
    expectNothingLeft(agent());
  });

  it.each([
    ['socket-link', 'a symbolic link'],
    ['socket-folder', 'a folder'],
  ])('%s: the run_student socket is refused (254, a warning naming job, socket and what was found), the job goes on', async (scenario, found) => {
    const job = attack(scenario);
    const done = await runJob(backend(), job);
    expect(feedback(done)).toBe('retval=254 out=');
    const warnings = logLines(agent(), job.job_id, 40).filter((line) => line.msg === 'student container not started: retval 254');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ socketId: 'evil' });
    expect(warnings[0].reason).toContain(found);
    expect(logLines(agent(), job.job_id, 50)).toEqual([]);
    expect(containersOf(agent().agentId, { role: 'student' })).toEqual([]);
    expectNothingLeft(agent());
  });

  it('race: every mounted path and the socket swapped back and forth in a tight loop while 50 student containers are asked for', async () => {
    const job = attack('race', { time: 300, hard_time: 600 });
    const done = await runJob(backend(), job, 600_000);
    const match = /^counts=(?<counts>[^ ]*) outputs=(?<outputs>.*)$/.exec(feedback(done));
    expect(match, done.result[1]).not.toBeNull();
    const counts: Record<string, number> = Object.fromEntries(match!.groups!.counts.split(',').map((pair) => pair.split(':').map(Number)));
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(50);
    // refused while a link was under the socket's name, or run with the real socket: never anything else
    expect(Object.keys(counts).filter((retval) => retval !== '0' && retval !== '254')).toEqual([]);
    expect(match!.groups!.outputs.split('|').filter((out) => out !== '' && out !== 'seen-nothing')).toEqual([]);
    // each 254 is a refusal the agent logged, each 0 a container it started: none started with a host path mounted
    const logged = (msg: string) => agent().logs.filter((line) => line.includes(job.job_id) && line.includes(`"msg":"${msg}"`)).length;
    expect(logged('student container not started: retval 254')).toBe(counts[254] ?? 0);
    expect(logged('student container started')).toBe(counts[0] ?? 0);
    expectNothingLeft(agent());
  }, 660_000);

  it('no agent error was logged', () => {
    expect(agent().logs.filter((line) => /"level":(50|60)/.test(line))).toEqual([]);
  });
});

describe('sandbox integrity, generation 3 relayed through the agent (runtime with its own kernel), real Docker', () => {
  const image = `inginious-agent-test/gen3-sandbox-relay:${process.pid}`;
  const { backend, agent } = agentHarness({
    prepare: () => buildGeneration3SampleImage(image, 'gen3-relay'),
    // "kata": served by runc here, but declared as running as root without a shared kernel
    env: { AGENT_RUNTIMES: 'runc:docker:shared,runc:kata:root' },
    cleanup: () => removeTestImages([image]),
  });
  const host = hostFolder();

  it('/task/student, /task/student/scripts and /task/systemfiles swapped for links: the student container sees nothing of the host', async () => {
    const job = newJob('testcourse', 'sandbox', {
      environmentType: 'kata',
      environment: 'gen3-relay',
      inputdata: { ...SAMPLE_INPUT, scenario: 'mounts', hostdir: host.dir() },
    });
    const done = await runJob(backend(), job);
    expect(done.result).toEqual(['success', 'retval=0 out=seen-nothing']);
    expect(agent().logs.some((line) => line.includes(job.job_id) && line.includes('relaying the student container'))).toBe(true);
    expectNothingLeft(agent());
  });
});

/**
 * Links shipped in task and `$common` folders (issue #14 item 5) and preparation failures (issue #13): a course made
 * for these tests beside the test course.
 */
describe('task files: links kept as links, never followed on the host; failures cleaned up and told in task terms', () => {
  let scratch = '';
  let tasksDir = '';
  const marker = `HOST-MARKER-${randomUUID()}`;
  const hostDir = () => join(scratch, 'host');
  const course = () => join(scratch, 'linkcourse');

  function task(name: string, run: string): string {
    const dir = join(course(), name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'run'), `#!/bin/bash\n${run}\n`);
    chmodSync(join(dir, 'run'), 0o755);
    return dir;
  }

  const { backend, agent } = agentHarness({
    prepare: () => {
      scratch = mkdtempSync(join(tmpdir(), 'sandbox-courses-'));
      tasksDir = makeTasksDir();
      mkdirSync(hostDir());
      writeFileSync(join(hostDir(), 'marker'), marker);
      mkdirSync(join(course(), '$common'), { recursive: true });
      writeFileSync(join(course(), '$common', 'lib.txt'), 'common lib');
      symlinkSync('lib.txt', join(course(), '$common', 'alias.txt'));
      symlinkSync(hostDir(), join(course(), '$common', 'student'));
      const links = task('links', [
        'out="$(cat /task/link.txt) $(cat /task/datalink/msg.txt) $(readlink /task/link.txt) $(cat /course/common/alias.txt)"',
        'peek="cat /task/student/marker /task/systemfiles/marker /course/common/student/marker 2>/dev/null; echo peeked"',
        'mine=$(/bin/sh -c "$peek"); theirs=$(run_student -- /bin/sh -c "$peek"); status=$?',
        'feedback-result success; feedback-msg -m "$out | $mine | $status $theirs"',
      ].join('\n'));
      mkdirSync(join(links, 'data'));
      writeFileSync(join(links, 'data', 'msg.txt'), 'hello');
      symlinkSync('data/msg.txt', join(links, 'link.txt'));
      symlinkSync('data', join(links, 'datalink'));
      symlinkSync(hostDir(), join(links, 'student'));
      symlinkSync(hostDir(), join(links, 'systemfiles'));
      const fifo = task('fifo', 'feedback-result success');
      mkdirSync(join(fifo, 'data'));
      execFileSync('mkfifo', [join(fifo, 'data', 'pipe')]);
      symlinkSync(course(), join(tasksDir, 'linkcourse'));
    },
    env: () => ({ AGENT_TASKS_DIR: tasksDir }),
  });

  afterAll(() => {
    const entries = readdirSync(hostDir());
    rmSync(scratch, { recursive: true, force: true });
    rmSync(tasksDir, { recursive: true, force: true });
    expect(entries).toEqual(['marker']);
  });

  it('task and $common links resolve inside the container; student, systemfiles and $common/student links are never followed', async () => {
    const job = newJob('linkcourse', 'links');
    const done = await runJob(backend(), job);
    expect(done.result).toEqual(['success', 'hello hello data/msg.txt common lib | peeked | 0 peeked']);
    const warned = logLines(agent(), job.job_id, 40).map((line) => line.entry);
    expect(warned.sort()).toEqual(['$common/student', 'student', 'systemfiles']);
    expectNothingLeft(agent());
  });

  it('a FIFO in the task: crash naming the file in the task\'s terms, no host path, no job folder left', async () => {
    const done = await runJob(backend(), newJob('linkcourse', 'fifo'));
    expect(done.result[0]).toBe('crash');
    expect(done.result[1]).toContain('"data/pipe" is a named pipe (FIFO)');
    for (const hostPath of [agent().workDir, tasksDir, scratch, tmpdir()]) expect(done.result[1]).not.toContain(hostPath);
    expectNothingLeft(agent());
  });
});
