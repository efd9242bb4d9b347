import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { chmod, cp, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AgentConfig } from '../config/agent-config';
import type { TaskLocation } from '../jobs/job-identifiers';
import { JobRejected } from '../jobs/job-rejected.error';

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

  /**
   * Empties the work folder (a fresh start: nothing of an earlier run is still in use). Its content only: in a
   * container the folder itself is a mount point (INGInious' /tmp/agent_data), which cannot be removed.
   */
  async reset(): Promise<void> {
    await mkdir(this.config.workDir, { recursive: true });
    const entries = await readdir(this.config.workDir);
    await Promise.all(entries.map((entry) => rm(join(this.config.workDir, entry), { recursive: true, force: true })));
  }

  /** A complete job folder for the cold path: checked, created, filled. */
  async prepare(location: TaskLocation | undefined): Promise<JobFolderPaths> {
    await this.checkTask(location);
    const paths = await this.create();
    try {
      await this.fill(paths, location);
      return paths;
    } catch (error) {
      await this.remove(paths);
      throw error;
    }
  }

  /**
   * A job folder with every mount source in place and empty, the sources a grading container is created on. A warm
   * container is created on it long before its job, which `fill` then puts in.
   */
  async create(): Promise<JobFolderPaths> {
    const paths = jobFolderLayout(join(this.config.workDir, randomUUID()));
    for (const folder of [paths.student, paths.sockets, paths.courseCommonStudent]) await mkdir(folder, { recursive: true });
    // The container runs its work as an unprivileged user: what it writes to must be writable by anyone.
    await chmod(paths.task, 0o777);
    await chmod(paths.student, 0o777);
    await chmod(paths.sockets, 0o777);
    return paths;
  }

  /**
   * Copies the task and the course's `$common` into a created folder. The container may already run (warm): only its
   * own runtime, idle before its start frame, yet it is not trusted: the task folder must hold nothing but the empty
   * `student` folder made by `create`, or nothing is copied.
   */
  async fill(paths: JobFolderPaths, location: TaskLocation | undefined): Promise<void> {
    await this.checkTask(location);
    await expectUntouched(paths);
    if (!location) return;
    await cp(join(this.config.tasksDir, location.courseId, location.taskId), paths.task, { recursive: true });
    const commonSource = join(this.config.tasksDir, location.courseId, COMMON);
    if (await isDirectory(commonSource)) await cp(commonSource, paths.courseCommon, { recursive: true });
    await makeWorldWritable(paths.task);
  }

  /** Refuses (JobRejected) a task that is not in the tasks folder. */
  async checkTask(location: TaskLocation | undefined): Promise<void> {
    if (location && !(await isDirectory(join(this.config.tasksDir, location.courseId, location.taskId)))) {
      throw new JobRejected(
        `The task ${location.courseId}/${location.taskId} is not on this agent yet; retry later, and if it persists tell the course administrator.`,
      );
    }
  }

  async remove(paths: JobFolderPaths): Promise<void> {
    await rm(paths.root, { recursive: true, force: true });
  }
}

/** The task folder holds exactly the empty `student` folder (a real one, not a link), as `create` left it. */
async function expectUntouched(paths: JobFolderPaths): Promise<void> {
  const entries = await readdir(paths.task, { withFileTypes: true });
  const student = entries.length === 1 && entries[0].name === basename(paths.student) && entries[0].isDirectory();
  if (!student || (await readdir(paths.student)).length > 0) {
    throw new Error('the job folder was changed before the job began');
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
