import { join } from 'node:path';

/**
 * Where everything of one job lives on the host. Every folder a container mounts sits directly under the root, which
 * no container can write to: a container can change what is inside a mounted folder, never which folder it is.
 */
export interface JobFolderPaths {
  root: string;
  /** the task's copy, mounted at /task (its `student` and `systemfiles` are empty mount points) */
  task: string;
  /** mounted at /task/student in the grading and the student containers */
  student: string;
  /** mounted at /task/student/scripts in both */
  studentScripts: string;
  /** mounted at /task/systemfiles in both (read-only in the student container) */
  systemfiles: string;
  /** mounted at /sockets in the grading container */
  sockets: string;
  /** agent-only: run_student sockets moved out of reach of the containers before they are checked and mounted */
  claimedSockets: string;
  courseCommon: string;
  courseCommonStudent: string;
}

/** The layout of a job folder rooted at `root` (nothing is created). */
export function jobFolderLayout(root: string): JobFolderPaths {
  return {
    root,
    task: join(root, 'task'),
    student: join(root, 'student'),
    studentScripts: join(root, 'student-scripts'),
    systemfiles: join(root, 'systemfiles'),
    sockets: join(root, 'sockets'),
    claimedSockets: join(root, 'claimed-sockets'),
    courseCommon: join(root, 'course', 'common'),
    courseCommonStudent: join(root, 'course', 'common', 'student'),
  };
}
