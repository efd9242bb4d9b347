import type { JobLimits } from '../jobs/job-parameters';
import { INTERACTIVE_LIMIT_SECONDS } from '../jobs/job-parameters';
import type { RunStudentRequest } from './run-student-request';

/**
 * The student container's limits (wire.md §4): each asked limit, 0 meaning "the parent's", never above the parent's.
 * An SSH student container is interactive: its time limits are 30 minutes, as for an SSH debug job.
 */
export function studentLimits(request: RunStudentRequest, parent: JobLimits): JobLimits {
  const capped = (asked: number, limit: number) => Math.min(asked || limit, limit);
  const memoryMiB = capped(request.memoryMiB, parent.memoryMiB);
  if (request.ssh) return { cpuSeconds: INTERACTIVE_LIMIT_SECONDS, wallSeconds: INTERACTIVE_LIMIT_SECONDS, memoryMiB };
  return {
    cpuSeconds: capped(request.cpuSeconds, parent.cpuSeconds),
    wallSeconds: capped(request.wallSeconds, parent.wallSeconds),
    memoryMiB,
  };
}
