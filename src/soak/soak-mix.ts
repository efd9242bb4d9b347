import { createHash } from 'node:crypto';
import type { ResultName } from '../backend/backend.messages';

/** One kind of job the soak sends, and the outcome it must get. */
export interface SoakCase {
  name: string;
  course: 'sample' | 'testcourse';
  task: string;
  input?: Record<string, unknown>;
  limits?: Record<string, number>;
  expect: { result: ResultName; text?: RegExp };
  /** the client kills the job after a random delay in this range, ms */
  killAfterMs?: [number, number];
  /** a feedback other than a crash that chaos may also cause (excused like a crash when chaos was at work) */
  chaosMayGive?: RegExp;
}

const UPLOAD = Buffer.from('a file the soak uploads\n');
const UPLOAD_SHA256 = createHash('sha256').update(UPLOAD).digest('hex');

const student = (scenario: string, retval: number): SoakCase => ({
  name: `run_student ${scenario} → ${retval}`,
  course: 'testcourse',
  task: 'student',
  input: { scenario },
  expect: { result: 'success', text: new RegExp(`^retval=${retval} `) },
  // a student container lost to chaos (removed, or stopped by a dockerd restart) is answered 254
  chaosMayGive: /^retval=254 /,
});

/**
 * Every outcome a job can have, from the sample course (what an operator runs) and the test course (faults on
 * purpose). Limits are the job's environment parameters, as the backend sends them.
 */
export const SOAK_MIX: readonly SoakCase[] = [
  { name: 'success', course: 'sample', task: 'hello', expect: { result: 'success', text: /^Hello! You answered: soak/ } },
  { name: 'failed', course: 'sample', task: 'partial', expect: { result: 'failed', text: /^Partly right/ } },
  { name: 'error', course: 'sample', task: 'error', expect: { result: 'error', text: /reference solution missing/ } },
  { name: 'crash (runtime exits 1)', course: 'sample', task: 'crash', expect: { result: 'crash' } },
  { name: 'crash (no feedback)', course: 'testcourse', task: 'no-feedback', expect: { result: 'crash' } },
  { name: 'upload digest', course: 'testcourse', task: 'upload-digest', input: { upload: { filename: 'f.txt', value: UPLOAD } }, expect: { result: 'success', text: new RegExp(`^${UPLOAD_SHA256}$`) } },
  { name: 'CPU timeout', course: 'testcourse', task: 'cpu-burn', limits: { time: 2, hard_time: 30 }, expect: { result: 'timeout', text: /^$/ } },
  { name: 'wall timeout', course: 'testcourse', task: 'sleep', limits: { time: 30, hard_time: 3 }, expect: { result: 'timeout', text: /^$/ } },
  { name: 'memory overflow', course: 'testcourse', task: 'memory-hog', limits: { time: 30, memory: 50 }, expect: { result: 'overflow', text: /^$/ } },
  { name: 'killed after a random delay', course: 'testcourse', task: 'sleep', limits: { time: 10 }, killAfterMs: [300, 3000], expect: { result: 'killed' } },
  student('hello', 0),
  student('exit7', 7),
  student('cpu-timeout', 253),
  student('memory', 252),
  student('unknown-env', 254),
  { name: 'garbage on stdout', course: 'testcourse', task: 'garbage', expect: { result: 'crash' } },
  { name: 'malformed frames, then a result', course: 'testcourse', task: 'noise-then-result', expect: { result: 'success', text: /^noise ignored/ } },
  { name: 'result of a wrong type', course: 'testcourse', task: 'bad-type', expect: { result: 'crash', text: /unreadable/ } },
  { name: 'result with an extra key', course: 'testcourse', task: 'extra-key', expect: { result: 'crash', text: /unreadable/ } },
  { name: 'no result', course: 'testcourse', task: 'no-result', expect: { result: 'crash' } },
  { name: 'oversized frame', course: 'testcourse', task: 'frame-too-big', expect: { result: 'crash' } },
  { name: 'oversized frame, stream kept open', course: 'testcourse', task: 'frame-too-big-stay', expect: { result: 'crash' } },
];

/** The BackendNewJob fields of one job of this case (without @type), as the backend sends them. */
export function soakJob(jobId: string, soakCase: SoakCase) {
  return {
    job_id: jobId,
    course_id: soakCase.course,
    task_id: soakCase.task,
    task_problems: {},
    inputdata: { q1: 'soak', ...soakCase.input, '@username': 'soak', '@lang': 'en', '@state': '' },
    environment_type: 'docker',
    environment: 'default',
    environment_parameters: { limits: { time: 30, memory: 100, ...soakCase.limits } },
    debug: false,
  };
}
