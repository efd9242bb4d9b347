import type { RunningJob } from '../jobs/running-job';
import type { Runtime } from '../runtimes/runtime.types';
import type { StudentRelay } from './student-relay';
import type { StudentSlot } from './student-slots';

/** Why the agent stopped a student container itself; it decides the retval (252, 253) over the exit code. */
export type StudentStopReason = 'timeout' | 'overflow';

/** One student container the agent started for a grading container. */
export class StudentContainer {
  /** external ports taken from the pool for it */
  ports: number[] = [];
  /** its place in the job's student-container budget, freed once it is removed */
  slot?: StudentSlot;
  stopReason?: StudentStopReason;
  /** generation-3 relay over its attach stream, opened by the first message to forward; messages wait on it in order */
  relay?: Promise<StudentRelay>;
  /** the job's agent-only name of its run_student socket (none when relayed), released when it ends */
  claimedSocket?: string;
  closed = false;

  constructor(
    readonly id: string,
    readonly job: RunningJob,
    readonly socketId: string,
    readonly runtime: Runtime,
  ) {}

  /** The first reason wins. */
  stop(reason: StudentStopReason): void {
    this.stopReason ??= reason;
  }
}

/** run_student_retval codes the agent decides (wire.md §4). */
export const RETVAL_OVERFLOW = 252;
export const RETVAL_TIMEOUT = 253;
export const RETVAL_NOT_STARTED = 254;

export function studentRetval(container: StudentContainer, exitCode: number): number {
  if (container.stopReason === 'timeout') return RETVAL_TIMEOUT;
  if (container.stopReason === 'overflow') return RETVAL_OVERFLOW;
  return exitCode;
}
