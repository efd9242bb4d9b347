import type { AttachStream } from '../docker/docker.types';
import type { GradingEnvironment } from '../environments/grading-environment';
import type { JobFolderPaths } from '../job-files/job-folder-layout';
import type { TaskFilesSource } from '../job-files/job-folders';

/** What a grading container fixes at creation, and so what a warm one must match: image, runtime, network. */
export interface WarmSpec {
  environment: GradingEnvironment;
  /** a bridge network (network_grading) instead of none */
  network: boolean;
}

/** What a job asks of the pool: a container of `spec`, ready for the job's memory limit and task. */
export interface WarmRequest extends WarmSpec {
  jobId: string;
  memoryMiB: number;
  location: TaskFilesSource | undefined;
}

/** A container created, attached and started ahead of demand: its runtime idle, its job folder empty. */
export interface WarmContainer {
  id: string;
  key: string;
  spec: WarmSpec;
  folder: JobFolderPaths;
  /** attached before start, not read while idle */
  stream: AttachStream;
  /** the memory limit it idles under: the last job of its kind's, so that a job asking the same is spared an update */
  memoryMiB: number;
  madeAtMs: number;
}

/** A warm container handed to a job: limits set, task files in, waiting for its start frame. */
export interface TakenContainer {
  containerId: string;
  folder: JobFolderPaths;
  stream: AttachStream;
  /** CPU its runtime used while idle, not to be charged to the job */
  cpuUsedSeconds: number;
}

export function warmKeyOf(spec: WarmSpec): string {
  return `${spec.environment.imageId}|${spec.environment.runtime.dockerRuntime}|${spec.network ? 'bridge' : 'none'}`;
}
