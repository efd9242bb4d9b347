import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { cp, lstat, mkdir, readdir, realpath, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AgentConfig } from '../config/agent-config';
import { cut } from '../logging/cut-value';
import { filesErrorText, hideHostPaths, type NamedPlace } from './files-error-text';
import { jobFolderLayout, type JobFolderPaths } from './job-folder-layout';
import { TaskFilesError } from './task-files.error';
import { TreeRemover } from './tree-remover';
import { makeWorldWritable } from './world-writable';

/** The task whose files a job gets (the ids are already checked to be plain names). */
export interface TaskFilesSource {
  courseId: string;
  taskId: string;
}

interface ResolvedSources {
  task: string;
  /** undefined when the course has no `$common` folder */
  common?: string;
}

const COMMON = '$common';

/**
 * The file system side of a job (behaviour.md step 4, "Sandbox integrity"): its private copy of the task and course
 * files, laid out so that no container can make the agent reach a host path, and removed whatever happens.
 */
@Injectable()
export class JobFolders {
  constructor(
    @InjectPinoLogger(JobFolders.name) private readonly logger: PinoLogger,
    private readonly config: AgentConfig,
    private readonly trees: TreeRemover,
  ) {}

  /**
   * Empties the work folder (a fresh start: nothing of an earlier run is still in use). Its content only: in a
   * container the folder itself is a mount point (INGInious' /tmp/agent_data), which cannot be removed.
   */
  async reset(): Promise<void> {
    await mkdir(this.config.workDir, { recursive: true });
    const entries = await readdir(this.config.workDir);
    await Promise.all(entries.map((entry) => this.trees.remove(join(this.config.workDir, entry))));
  }

  /** A complete job folder, or a TaskFilesError (and nothing left on the host). */
  async prepare(jobId: string, location: TaskFilesSource | undefined): Promise<JobFolderPaths> {
    const paths = jobFolderLayout(join(this.config.workDir, randomUUID()));
    const places: NamedPlace[] = [
      { host: paths.task, name: '' },
      { host: paths.courseCommon, name: COMMON },
    ];
    try {
      const course = location && (await this.courseFolder(location));
      if (course) places.push({ host: join(course, location.taskId), name: '' }, { host: join(course, COMMON), name: COMMON });
      const sources = location && (await this.resolveSources(jobId, location, course));
      await this.fill(jobId, paths, sources);
      return paths;
    } catch (error) {
      await this.remove(paths).catch((cleanup: unknown) =>
        this.logger.error({ jobId, err: cleanup }, 'job folder could not be removed after a failed preparation'),
      );
      if (error instanceof TaskFilesError) throw error;
      this.logger.warn({ jobId, err: error }, 'job files could not be prepared');
      throw filesErrorText(error, places);
    }
  }

  /**
   * A job folder with every mount source in place and empty (a warm container is created on it before its job is
   * known); `fillCreated` puts the job in later.
   */
  async create(): Promise<JobFolderPaths> {
    const paths = jobFolderLayout(join(this.config.workDir, randomUUID()));
    for (const folder of [paths.student, paths.studentScripts, paths.systemfiles, paths.courseCommonStudent]) await mkdir(folder, { recursive: true });
    for (const mountPoint of MOUNT_POINTS) await mkdir(join(paths[mountPoint.in], mountPoint.name), { recursive: true });
    await mkdir(paths.sockets, { mode: 0o777 });
    await mkdir(paths.claimedSockets, { mode: 0o700 });
    for (const folder of [paths.task, paths.student, paths.studentScripts, paths.systemfiles, paths.sockets]) {
      await makeWorldWritable(folder);
    }
    return paths;
  }

  /**
   * Puts a job's files into a folder made by `create` whose container already runs (warm, its runtime idle before its
   * start frame). The job is prepared as for a cold start in a folder of its own, then each entry is renamed into
   * the mount source it belongs to: the mount sources stay the very folders the container was created on, and a
   * rename never follows a link. The container is not trusted even idle: its folders must be as `create` left them.
   */
  async fillCreated(jobId: string, paths: JobFolderPaths, location: TaskFilesSource | undefined): Promise<void> {
    const staged = await this.prepare(jobId, location);
    try {
      if (!(await asCreated(paths))) throw new Error('the job folder was changed before the job began');
      for (const source of MOUNT_SOURCES) {
        const skip = new Set(MOUNT_POINTS.filter((m) => m.in === source).map((m) => m.name));
        for (const entry of await readdir(staged[source])) {
          if (!skip.has(entry)) await rename(join(staged[source], entry), join(paths[source], entry));
        }
      }
    } finally {
      // Not awaited: the job need not wait for what is left of the staging (empty mount points). No container ever saw
      // the staging folder, so Node's own removal is safe there.
      void rm(staged.root, { recursive: true, force: true }).catch((error: unknown) =>
        this.logger.warn({ jobId, err: error }, 'staging folder not removed'),
      );
    }
  }

  async remove(paths: JobFolderPaths): Promise<void> {
    await this.trees.remove(paths.root);
  }

  /**
   * A finished job's folder: its removal is stopped, or waits, while removals are held, for at most `cleanupHoldMaxS`
   * from now; then it runs to its end whatever the holds, so that the disk space always comes back.
   */
  async removeAfterJob(paths: JobFolderPaths): Promise<void> {
    await this.trees.remove(paths.root, { yieldMs: this.config.cleanupHoldMaxS * 1000 });
  }

  /** Removals of finished jobs' folders stop where they are and later ones wait, until `releaseRemovals`. */
  holdRemovals(): void {
    this.trees.hold();
  }

  releaseRemovals(): void {
    this.trees.release();
  }

  /** `text` without the agent's own folders in it (for texts sent to the backend). */
  hideHostPaths(text: string): string {
    const folders: NamedPlace[] = [
      { host: resolve(this.config.workDir), name: '<work folder>' },
      { host: resolve(this.config.tasksDir), name: '<tasks folder>' },
    ];
    return hideHostPaths(text, folders.sort((a, b) => b.host.length - a.host.length));
  }

  /**
   * The course folder is the operator's (it may be reached through a link); the task folder and `$common` inside it
   * belong to course staff and are used only when they are real folders, never followed when they are links.
   */
  private async courseFolder(location: TaskFilesSource): Promise<string | undefined> {
    return realpath(join(this.config.tasksDir, location.courseId)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw error;
    });
  }

  private async resolveSources(jobId: string, location: TaskFilesSource, course: string | undefined): Promise<ResolvedSources> {
    const task = course && join(course, location.taskId);
    if (!task || (await kindOf(task)) !== 'folder') {
      throw new TaskFilesError(
        `The task ${cut(location.courseId)}/${cut(location.taskId)} is not on this agent yet; retry later, and if it persists tell the course administrator.`,
        true,
      );
    }
    const common = join(course, COMMON);
    const commonKind = await kindOf(common);
    if (commonKind !== 'folder' && commonKind !== 'missing') {
      this.logger.warn({ jobId, found: commonKind }, `the course's ${COMMON} is not a folder: not used`);
    }
    return { task, common: commonKind === 'folder' ? common : undefined };
  }

  private async fill(jobId: string, paths: JobFolderPaths, sources: ResolvedSources | undefined): Promise<void> {
    await mkdir(paths.task, { recursive: true });
    await mkdir(paths.courseCommon, { recursive: true });
    // Links are copied as links with their target unchanged: they resolve inside the container, never on the host.
    if (sources) await cp(sources.task, paths.task, { recursive: true, verbatimSymlinks: true });
    if (sources?.common) await cp(sources.common, paths.courseCommon, { recursive: true, verbatimSymlinks: true });
    const takeOut = (from: string, to: string, name: string) => this.takeOut(jobId, from, to, name);
    await takeOut(join(paths.task, 'student'), paths.student, 'student');
    await takeOut(join(paths.student, 'scripts'), paths.studentScripts, 'student/scripts');
    await takeOut(join(paths.task, 'systemfiles'), paths.systemfiles, 'systemfiles');
    await this.ensureRealFolder(jobId, paths.courseCommonStudent, `${COMMON}/student`);
    await mkdir(paths.sockets, { mode: 0o777 });
    await mkdir(paths.claimedSockets, { mode: 0o700 });
    // The container runs its work as an unprivileged user: what it writes to must be writable by anyone.
    for (const folder of [paths.task, paths.student, paths.studentScripts, paths.systemfiles, paths.sockets]) {
      await makeWorldWritable(folder);
    }
  }

  /**
   * Moves the folder `from` of the copy to its own mount source `to` and leaves an empty mount point in its place.
   * Anything else found there (a link, a file) is not followed: `to` is an empty folder instead.
   */
  private async takeOut(jobId: string, from: string, to: string, name: string): Promise<void> {
    const kind = await kindOf(from);
    if (kind === 'folder') {
      await rename(from, to);
    } else {
      if (kind !== 'missing') this.warnReplaced(jobId, name, kind);
      await rm(from, { force: true });
      await mkdir(to);
    }
    await mkdir(from);
  }

  private async ensureRealFolder(jobId: string, path: string, name: string): Promise<void> {
    const kind = await kindOf(path);
    if (kind === 'folder') return;
    if (kind !== 'missing') this.warnReplaced(jobId, name, kind);
    await rm(path, { force: true });
    await mkdir(path);
  }

  private warnReplaced(jobId: string, name: string, found: string): void {
    this.logger.warn({ jobId, entry: name, found }, `the task's ${name} is not a folder: an empty folder is used instead`);
  }
}

/** The folders a container mounts that hold the job's files. */
const MOUNT_SOURCES = ['task', 'student', 'studentScripts', 'systemfiles', 'courseCommon', 'courseCommonStudent'] as const;
/** Empty folders inside mount sources where other mount sources are mounted. */
const MOUNT_POINTS: readonly { in: (typeof MOUNT_SOURCES)[number]; name: string }[] = [
  { in: 'task', name: 'student' },
  { in: 'task', name: 'systemfiles' },
  { in: 'student', name: 'scripts' },
  { in: 'courseCommon', name: 'student' },
];

/** Every mount source holds nothing but its empty mount points (real folders, not links), as `create` left it. */
async function asCreated(paths: JobFolderPaths): Promise<boolean> {
  for (const source of MOUNT_SOURCES) {
    const expected = MOUNT_POINTS.filter((m) => m.in === source).map((m) => m.name).sort();
    const entries = await readdir(paths[source], { withFileTypes: true });
    if (entries.map((e) => e.name).sort().join('/') !== expected.join('/')) return false;
    for (const entry of entries) {
      if (!entry.isDirectory() || (await readdir(join(paths[source], entry.name))).length > 0) return false;
    }
  }
  return true;
}

/** What is at `path`, without following a link. */
async function kindOf(path: string): Promise<'folder' | 'link' | 'file' | 'special' | 'missing'> {
  const stats = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!stats) return 'missing';
  if (stats.isDirectory()) return 'folder';
  if (stats.isSymbolicLink()) return 'link';
  return stats.isFile() ? 'file' : 'special';
}
