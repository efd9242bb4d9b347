/**
 * Preparing a job's files failed. The message is the text the student and course staff read: it names files in the
 * task's own terms (`run`, `$common/lib.py`), never a path of the agent's host.
 */
export class TaskFilesError extends Error {
  constructor(
    message: string,
    /** true when the task's own files are the cause (missing, unreadable, a FIFO…), false when the agent's host is */
    readonly taskFault: boolean,
  ) {
    super(message);
  }
}
