import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PinoLogger } from 'nestjs-pino';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentConfig } from '../config/agent-config';
import { JobFolders } from './job-folders';
import { TaskFilesError } from './task-files.error';
import { TreeRemover } from './tree-remover';

/** Real files in a scratch folder: a host folder with a marker, a tasks folder reaching its course through a link. */
describe('JobFolders (real file system)', () => {
  let scratch: string;
  let course: string;
  let task: string;
  let host: string;
  let workDir: string;
  let warn: ReturnType<typeof vi.fn>;
  let folders: JobFolders;
  let config: AgentConfig;
  const trees = new TreeRemover();

  afterAll(() => trees.onModuleDestroy());

  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'job-folders-'));
    host = join(scratch, 'host');
    mkdirSync(host);
    writeFileSync(join(host, 'marker'), 'host secret');
    course = join(scratch, 'courses', 'c1');
    task = join(course, 't1');
    mkdirSync(join(task, 'data'), { recursive: true });
    writeFileSync(join(task, 'run'), '#!/bin/sh\n');
    writeFileSync(join(task, 'data', 'msg.txt'), 'hello');
    const tasksDir = join(scratch, 'tasks');
    mkdirSync(tasksDir);
    symlinkSync(course, join(tasksDir, 'c1')); // the operator's tasks folder may reach a course through a link
    workDir = join(scratch, 'work');
    mkdirSync(workDir);
    warn = vi.fn();
    config = { workDir, tasksDir, cleanupHoldMaxS: 30 } as AgentConfig;
    folders = new JobFolders({ warn } as unknown as PinoLogger, config, trees);
  });

  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  const location = { courseId: 'c1', taskId: 't1' };
  const hostUntouched = () => expect(readdirSync(host)).toEqual(['marker']);

  it('copies links as links, their target unchanged (relative ones resolve inside the container)', async () => {
    symlinkSync('data/msg.txt', join(task, 'link.txt'));
    symlinkSync('data', join(task, 'datalink'));
    symlinkSync(host, join(task, 'absolute'));
    const paths = await folders.prepare('j', location);
    expect(readlinkSync(join(paths.task, 'link.txt'))).toBe('data/msg.txt');
    expect(readlinkSync(join(paths.task, 'datalink'))).toBe('data');
    expect(readlinkSync(join(paths.task, 'absolute'))).toBe(host);
    expect(readFileSync(join(paths.task, 'link.txt'), 'utf8')).toBe('hello');
  });

  it('takes student/, student/scripts and systemfiles out of the copy, leaving empty mount points', async () => {
    mkdirSync(join(task, 'student', 'scripts'), { recursive: true });
    writeFileSync(join(task, 'student', 'prog.c'), 'int main;');
    writeFileSync(join(task, 'student', 'scripts', 'teardown'), 'x');
    mkdirSync(join(task, 'systemfiles'));
    writeFileSync(join(task, 'systemfiles', 'hosts'), '1.2.3.4 a');
    const paths = await folders.prepare('j', location);
    expect(readdirSync(paths.student)).toEqual(['prog.c', 'scripts']);
    expect(readdirSync(join(paths.student, 'scripts'))).toEqual([]);
    expect(readdirSync(paths.studentScripts)).toEqual(['teardown']);
    expect(readdirSync(paths.systemfiles)).toEqual(['hosts']);
    expect(readdirSync(join(paths.task, 'student'))).toEqual([]);
    expect(readdirSync(join(paths.task, 'systemfiles'))).toEqual([]);
    for (const folder of [paths.task, paths.student, paths.studentScripts, paths.systemfiles, paths.sockets]) {
      expect(lstatSync(folder).mode & 0o777).toBe(0o777);
    }
    expect(lstatSync(join(paths.student, 'prog.c')).mode & 0o666).toBe(0o666);
    expect(lstatSync(paths.claimedSockets).mode & 0o077).toBe(0);
    expect(warn).not.toHaveBeenCalled();
  });

  it('a task without them gets empty folders', async () => {
    const paths = await folders.prepare('j', location);
    expect(readdirSync(paths.student)).toEqual(['scripts']); // the mount point of student-scripts/
    expect(readdirSync(paths.courseCommon)).toEqual(['student']);
    for (const folder of [paths.studentScripts, paths.systemfiles, paths.courseCommonStudent, paths.sockets]) {
      expect(readdirSync(folder)).toEqual([]);
    }
  });

  it.each([
    ['student', (paths: { student: string }) => paths.student],
    ['systemfiles', (paths: { systemfiles: string }) => paths.systemfiles],
  ])('a task whose %s is a link to a host folder: never followed, an empty folder and a warning', async (name, source) => {
    symlinkSync(host, join(task, name));
    const paths = await folders.prepare('j', location);
    expect(lstatSync(source(paths as never)).isDirectory()).toBe(true);
    expect(readdirSync(source(paths as never)).filter((entry) => entry !== 'scripts')).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ jobId: 'j', entry: name, found: 'link' }), expect.any(String));
    hostUntouched();
  });

  it('student/scripts as a link, or student as a file: the same', async () => {
    mkdirSync(join(task, 'student'));
    symlinkSync(host, join(task, 'student', 'scripts'));
    writeFileSync(join(task, 'systemfiles'), 'not a folder');
    const paths = await folders.prepare('j', location);
    expect(readdirSync(paths.studentScripts)).toEqual([]);
    expect(readdirSync(paths.systemfiles)).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(2);
    hostUntouched();
  });

  it('$common is copied with its links; $common/student as a link is an empty folder', async () => {
    mkdirSync(join(course, '$common'));
    writeFileSync(join(course, '$common', 'lib.sh'), 'x');
    symlinkSync('lib.sh', join(course, '$common', 'alias.sh'));
    symlinkSync(host, join(course, '$common', 'student'));
    const paths = await folders.prepare('j', location);
    expect(readlinkSync(join(paths.courseCommon, 'alias.sh'))).toBe('lib.sh');
    expect(lstatSync(paths.courseCommonStudent).isDirectory()).toBe(true);
    expect(readdirSync(paths.courseCommonStudent)).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ entry: '$common/student', found: 'link' }), expect.any(String));
    hostUntouched();
  });

  it('$common or the task folder itself as a link: never followed', async () => {
    symlinkSync(host, join(course, '$common'));
    const paths = await folders.prepare('j', location);
    expect(readdirSync(paths.courseCommon)).toEqual(['student']);
    symlinkSync(host, join(course, 'evil'));
    await expect(folders.prepare('j', { courseId: 'c1', taskId: 'evil' })).rejects.toThrow(/not on this agent/);
    hostUntouched();
  });

  it('a FIFO in the task: the job folder is removed (even while finished jobs\' removals are held) and the text names the file in the task\'s terms only', async () => {
    writeFileSync(join(task, 'data', 'a.txt'), 'copied before the FIFO');
    execFileSync('mkfifo', [join(task, 'data', 'pipe')]);
    folders.holdRemovals(); // other jobs grade
    const error = await folders.prepare('j', location).catch((e: unknown) => e);
    folders.releaseRemovals();
    expect(error).toBeInstanceOf(TaskFilesError);
    expect((error as TaskFilesError).taskFault).toBe(true);
    expect((error as Error).message).toContain('"data/pipe" is a named pipe (FIFO)');
    expect((error as Error).message).not.toContain(scratch);
    expect(readdirSync(workDir)).toEqual([]);
  });

  it('a finished job\'s folder waits while removals are held, and goes at their release', async () => {
    const paths = await folders.prepare('j', location);
    folders.holdRemovals();
    let removed = false;
    const removal = folders.removeAfterJob(paths).then(() => (removed = true));
    await new Promise((r) => setTimeout(r, 200));
    expect(removed).toBe(false);
    expect(readdirSync(workDir)).toHaveLength(1);
    folders.releaseRemovals();
    await removal;
    expect(readdirSync(workDir)).toEqual([]);
  });

  it('a finished job\'s folder waits at most AGENT_CLEANUP_HOLD_MAX_S, then goes though removals are still held', async () => {
    const paths = await folders.prepare('j', location);
    config.cleanupHoldMaxS = 0.3;
    folders.holdRemovals();
    const removal = folders.removeAfterJob(paths);
    await new Promise((r) => setTimeout(r, 100));
    expect(readdirSync(workDir)).toHaveLength(1);
    await removal;
    expect(readdirSync(workDir)).toEqual([]);
    folders.releaseRemovals();
  });

  it('a missing task is refused without creating anything', async () => {
    await expect(folders.prepare('j', { courseId: 'c1', taskId: 'nope' })).rejects.toThrow(/c1\/nope is not on this agent/);
    await expect(folders.prepare('j', { courseId: 'nope', taskId: 't1' })).rejects.toThrow(/is not on this agent/);
    expect(readdirSync(workDir)).toEqual([]);
  });

  it('any other failure (a course link looping on itself) is told without a host path, nothing created', async () => {
    const tasksDir = join(scratch, 'tasks');
    symlinkSync(join(tasksDir, 'loop'), join(tasksDir, 'loop'));
    const error = await folders.prepare('j', { courseId: 'loop', taskId: 't1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFilesError);
    expect((error as Error).message).toContain('(ELOOP)');
    expect((error as Error).message).not.toContain(scratch);
    expect(readdirSync(workDir)).toEqual([]);
  });

  it('remove() deletes links, never what they point to', async () => {
    const paths = await folders.prepare('j', location);
    symlinkSync(host, join(paths.student, 'to-folder'));
    symlinkSync(join(host, 'marker'), join(paths.sockets, 'to-file'));
    symlinkSync(host, join(paths.task, 'nested-in-copy'));
    await folders.remove(paths);
    expect(existsSync(paths.root)).toBe(false);
    hostUntouched();
    expect(readFileSync(join(host, 'marker'), 'utf8')).toBe('host secret');
  });

  it('hides the work and tasks folders in texts for the backend', () => {
    const text = `(HTTP code 400) invalid mount config: ${workDir}/abc/task and ${join(scratch, 'tasks')}/c1`;
    expect(folders.hideHostPaths(text)).toBe('(HTTP code 400) invalid mount config: <work folder>/abc/task and <tasks folder>/c1');
  });
});
