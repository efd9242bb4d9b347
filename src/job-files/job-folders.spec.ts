import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAgentConfig } from '../config/agent-config';
import { JobRejected } from '../jobs/job-rejected.error';
import { JobFolders } from './job-folders';

describe('JobFolders: created empty, filled at job time (the warm pool\'s order)', () => {
  let base: string;
  let folders: JobFolders;

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'job-folders-'));
    mkdirSync(join(base, 'tasks', 'c', 't'), { recursive: true });
    writeFileSync(join(base, 'tasks', 'c', 't', 'run'), '#!/bin/sh\n');
    mkdirSync(join(base, 'tasks', 'c', '$common'));
    writeFileSync(join(base, 'tasks', 'c', '$common', 'lib.py'), 'x = 1\n');
    const config = parseAgentConfig({ AGENT_BACKEND_ADDR: 'tcp://127.0.0.1:1', AGENT_TASKS_DIR: join(base, 'tasks'), AGENT_TMP_DIR: join(base, 'work') });
    folders = new JobFolders(config);
  });

  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('create: every mount source exists, empty; what the container writes to is writable by anyone', async () => {
    const paths = await folders.create();
    expect(readdirSync(paths.task)).toEqual(['student']);
    for (const folder of [paths.student, paths.sockets, paths.courseCommon, paths.courseCommonStudent]) expect(statSync(folder).isDirectory()).toBe(true);
    for (const folder of [paths.task, paths.student, paths.sockets]) expect(statSync(folder).mode & 0o777).toBe(0o777);
  });

  it('fill: the task and the course\'s $common go into the created folder', async () => {
    const paths = await folders.create();
    await folders.fill(paths, { courseId: 'c', taskId: 't' });
    expect(readdirSync(paths.task).sort()).toEqual(['run', 'student']);
    expect(readFileSync(join(paths.courseCommon, 'lib.py'), 'utf8')).toBe('x = 1\n');
  });

  it('fill refuses a folder changed since create (a file put in, the student folder swapped for a link): nothing copied', async () => {
    const touched = await folders.create();
    writeFileSync(join(touched.task, 'planted'), '');
    await expect(folders.fill(touched, { courseId: 'c', taskId: 't' })).rejects.toThrow('changed before the job began');
    expect(readdirSync(touched.task).sort()).toEqual(['planted', 'student']);

    const linked = await folders.create();
    rmSync(linked.student, { recursive: true });
    symlinkSync('/', linked.student);
    await expect(folders.fill(linked, { courseId: 'c', taskId: 't' })).rejects.toThrow('changed before the job began');
  });

  it('prepare (the cold path) refuses a missing task with a clear text and leaves nothing behind', async () => {
    await folders.reset();
    await expect(folders.prepare({ courseId: 'c', taskId: 'missing' })).rejects.toBeInstanceOf(JobRejected);
    expect(readdirSync(join(base, 'work'))).toEqual([]);
  });
});
