import type { ResultName } from '../backend/backend.messages';
import { decodeMessage } from '../container-link/frame-codec';
import { type BoundCrossed, crossedBound, type MsgpackBounds } from '../msgpack/msgpack-bounds';
import { encode } from '../msgpack/msgpack.codec';
import { buildJobDone } from './job-outcome';
import { isRejected, validateResultMap } from './result-map';

/** One frame body from a grading container, to be read for a job (in a worker thread when it is large). */
export interface ContainerFrameTask {
  jobId: string;
  frame: Uint8Array;
  bounds: MsgpackBounds;
}

/** A `result` that passed validation, its AgentJobDone already encoded: nothing heavy is left for the event loop. */
export interface AcceptedResult {
  accepted: true;
  jobDone: Uint8Array;
  result: ResultName;
  grade: number;
}

export type PreparedResult = AcceptedResult | { accepted: false; rejected: string };

/** What a frame turned out to be. */
export type ContainerFrame =
  | { kind: 'result'; result: PreparedResult }
  | { kind: 'message'; message: Record<string, unknown> }
  | { kind: 'unreadable' }
  | { kind: 'out-of-bounds'; crossed: BoundCrossed }
  /** not read: it came after the job's AgentJobDone went out */
  | { kind: 'late' };

/** Bounds first (one linear pass), then decoding; a `result` is validated and its AgentJobDone encoded at once. */
export function readContainerFrame({ jobId, frame, bounds }: ContainerFrameTask): ContainerFrame {
  const crossed = crossedBound(frame, bounds);
  if (crossed) return { kind: 'out-of-bounds', crossed };
  const message = decodeMessage(frame);
  if (!message) return { kind: 'unreadable' };
  if (message.type !== 'result') return { kind: 'message', message };
  const result = validateResultMap(message.result);
  if (isRejected(result)) return { kind: 'result', result: { accepted: false, rejected: result.rejected } };
  const done = buildJobDone(jobId, { kind: 'graded', result }, '', true);
  return {
    kind: 'result',
    result: { accepted: true, jobDone: new Uint8Array(encode(done)), result: done.result[0], grade: done.grade.value },
  };
}
