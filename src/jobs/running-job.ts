import type { BackendNewJob } from '../backend/backend.messages';
import type { ContainerLink } from '../container-link/container-link';
import type { GradingEnvironment } from '../environments/grading-environment';
import type { JobFolderPaths } from '../job-files/job-folder-layout';
import type { ContainerFrame, PreparedResult } from './container-frame';
import type { JobParameters } from './job-parameters';
import { JobTimeline } from './job-timeline';

/** Why the agent stopped a job's container itself (this outcome wins over whatever the container said). */
export type StopReason =
  | { kind: 'killed' | 'timeout' }
  | { kind: 'overflow'; text?: string }
  | { kind: 'crash'; text: string };

/** Everything the agent knows about one job it runs. Lives only in RunningJobs. */
export class RunningJob {
  readonly id: string;
  readonly inputState: string;
  readonly startedAt = Date.now();
  readonly timeline = new JobTimeline();
  environment?: GradingEnvironment;
  /** the parsed environment_parameters, limits included (student containers are capped by them) */
  parameters?: JobParameters;
  folder?: JobFolderPaths;
  containerId?: string;
  link?: ContainerLink<ContainerFrame>;
  /** external ports taken from the pool for this job */
  ports: number[] = [];
  /** the last `result` the container sent, validated and its AgentJobDone encoded */
  result?: PreparedResult;
  stopReason?: StopReason;
  died = false;
  outputEnded = false;
  closing = false;
  /** AgentJobDone went out (possibly before cleanup, see JobCompletion.reportResult) */
  doneSent = false;

  constructor(readonly request: BackendNewJob) {
    this.id = request.job_id;
    this.inputState = inputStateOf(request);
  }

  /** The first reason wins: a job killed by the backend and then timing out is still "killed". */
  stop(reason: StopReason): void {
    this.stopReason ??= reason;
  }
}

/** The submission state the backend gave the job (`inputdata["@state"]`), reported back when the job has no result. */
export function inputStateOf(request: BackendNewJob): string {
  const state = request.inputdata['@state'];
  return typeof state === 'string' ? state : '';
}
