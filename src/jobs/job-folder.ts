import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { chmod, cp, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentConfig } from '../config/agent-config';
import type { TaskLocation } from './job-identifiers';
import { JobRejected } from './job-rejected.error';
import { cut } from '../logging/cut-value';

export interface JobFolderPaths {
  root: string;
  task: string;
  student: string;
  sockets: string;
  systemfiles: string;
  courseCommon: string;
  courseCommonStudent: string;
}

const COMMON = '$common';

/** Where the parts of a job folder rooted at `root` go (the layout alone: nothing is created). */
export function jobFolderLayout(root: string): JobFolderPaths {
  return {
    root,
    task: join(root, 'task'),
    student: join(root, 'task', 'student'),
    systemfiles: join(root, 'task', 'systemfiles'),
    sockets: join(root, 'sockets'),
    courseCommon: join(root, 'course', 'common'),
    courseCommonStudent: join(root, 'course', 'common', 'student'),
  };
}

/** The file system side of a job: its private copy of the task and course files (behaviour.md step 4). */
@Injectable()
export class JobFolders {
  constructor(private readonly config: AgentConfig) {}

  /** Empties the work folder (a fresh start: nothing of an earlier run is still in use). */
  async reset(): Promise<void> {
    await rm(this.config.workDir, { recursive: true, force: true });
    await mkdir(this.config.workDir, { recursive: true });
  }

  async prepare(location: TaskLocation | undefined): Promise<JobFolderPaths> {
    const taskSource = location && join(this.config.tasksDir, location.courseId, location.taskId);
    if (taskSource && !(await isDirectory(taskSource))) {
      throw new JobRejected(
        `The task ${cut(location.courseId)}/${cut(location.taskId)} is not on this agent yet; retry later, and if it persists tell the course administrator.`,
      );
    }
    const paths = jobFolderLayout(join(this.config.workDir, randomUUID()));
    await mkdir(paths.task, { recursive: true });
    if (taskSource) await cp(taskSource, paths.task, { recursive: true });
    const commonSource = location && join(this.config.tasksDir, location.courseId, COMMON);
    if (commonSource && (await isDirectory(commonSource))) await cp(commonSource, paths.courseCommon, { recursive: true });
    for (const folder of [paths.student, paths.sockets, paths.courseCommonStudent]) await mkdir(folder, { recursive: true });
    // The container runs its work as an unprivileged user: what it writes to must be writable by anyone.
    await makeWorldWritable(paths.task);
    await chmod(paths.sockets, 0o777);
    return paths;
  }

  async remove(paths: JobFolderPaths): Promise<void> {
    await rm(paths.root, { recursive: true, force: true });
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

async function makeWorldWritable(folder: string): Promise<void> {
  await chmod(folder, 0o777);
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) await makeWorldWritable(path);
    else if (entry.isFile()) await chmod(path, ((await stat(path)).mode & 0o777) | 0o666);
  }
}
