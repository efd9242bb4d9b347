import { JobRejected } from './job-rejected.error';
import { cut } from '../logging/cut-value';

/** Course and task ids as INGInious accepts them: letters, digits, "_" and "-" — nothing that could name a path. */
const PLAIN_ID = /^[A-Za-z0-9_-]+$/;

export interface TaskLocation {
  courseId: string;
  taskId: string;
}

/** The task to copy, or undefined for a job that has neither course nor task (run without task files). */
export function checkTaskLocation(courseId: string | null, taskId: string | null): TaskLocation | undefined {
  if (courseId === null && taskId === null) return undefined;
  if (courseId === null || taskId === null) {
    throw new JobRejected('The job names a course without a task, or a task without a course.');
  }
  for (const [what, id] of [['course', courseId], ['task', taskId]] as const) {
    if (!PLAIN_ID.test(id)) {
      throw new JobRejected(
        `The ${what} id ${JSON.stringify(cut(id))} is not a plain id (letters, digits, "_" and "-" only); the job was refused.`,
      );
    }
  }
  return { courseId, taskId };
}
