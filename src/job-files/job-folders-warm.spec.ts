import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseAgentConfig } from '../config/agent-config';
import { PinoLogger } from 'nestjs-pino';
import { JobFolders } from './job-folders';
import { TreeRemover } from './tree-remover';

describe('JobFolders: created empty, filled at job time (the warm pool\'s order)', () => {
  let base: string;
  let folders: JobFolders;
  const trees = new TreeRemover();

  afterAll(() => trees.onModuleDestroy());

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'job-folders-'));
    mkdirSync(join(base, 'tasks', 'c', 't'), { recursive: true });
    writeFileSync(join(base, 'tasks', 'c', 't', 'run'), '#!/bin/sh\n');
    mkdirSync(join(base, 'tasks', 'c', '$common'));
    writeFileSync(join(base, 'tasks', 'c', '$common', 'lib.py'), 'x = 1\n');
    const config = parseAgentConfig({ AGENT_BACKEND_ADDR: 'tcp://127.0.0.1:1', AGENT_TASKS_DIR: join(base, 'tasks'), AGENT_TMP_DIR: join(base, 'work') });
    folders = new JobFolders(new PinoLogger({ pinoHttp: { level: 'silent' } }), config, trees);
  });

  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('create: every mount source exists, holding only its empty mount points; what the container writes to is writable by anyone', async () => {
    const paths = await folders.create();
    expect(readdirSync(paths.task).sort()).toEqual(['student', 'systemfiles']);
    expect(readdirSync(paths.student)).toEqual(['scripts']);
    expect(readdirSync(paths.courseCommon)).toEqual(['student']);
    for (const folder of [paths.studentScripts, paths.systemfiles, paths.sockets, paths.courseCommonStudent]) expect(readdirSync(folder)).toEqual([]);
    for (const folder of [paths.task, paths.student, paths.studentScripts, paths.systemfiles, paths.sockets]) expect(statSync(folder).mode & 0o777).toBe(0o777);
  });

  it('fillCreated: the task and $common land in the very folders made by create (the mounts), nothing staged is left', async () => {
    mkdirSync(join(base, 'tasks', 'c', 't', 'student', 'scripts'), { recursive: true });
    writeFileSync(join(base, 'tasks', 'c', 't', 'student', 'scripts', 'helper.sh'), '');
    const paths = await folders.create();
    const studentInode = statSync(paths.student).ino;
    await folders.fillCreated('j', paths, { courseId: 'c', taskId: 't' });
    expect(readdirSync(paths.task).sort()).toEqual(['run', 'student', 'systemfiles']);
    expect(readdirSync(paths.studentScripts)).toEqual(['helper.sh']);
    expect(statSync(paths.student).ino).toBe(studentInode);
    expect(readFileSync(join(paths.courseCommon, 'lib.py'), 'utf8')).toBe('x = 1\n');
    await vi.waitFor(() => expect(readdirSync(join(base, 'work'))).toEqual([basename(paths.root)]));
  });

  it('fillCreated refuses a folder changed since create (a file put in, a mount point swapped for a link): nothing moved', async () => {
    const touched = await folders.create();
    writeFileSync(join(touched.task, 'planted'), '');
    await expect(folders.fillCreated('j', touched, { courseId: 'c', taskId: 't' })).rejects.toThrow('changed before the job began');
    expect(readdirSync(touched.task).sort()).toEqual(['planted', 'student', 'systemfiles']);

    const linked = await folders.create();
    rmSync(join(linked.task, 'systemfiles'), { recursive: true });
    symlinkSync('/', join(linked.task, 'systemfiles'));
    await expect(folders.fillCreated('j', linked, { courseId: 'c', taskId: 't' })).rejects.toThrow('changed before the job began');
    await vi.waitFor(() => expect(readdirSync(join(base, 'work')).sort()).toEqual([basename(touched.root), basename(linked.root)].sort()));
  });
});
