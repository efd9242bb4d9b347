import { decode, isPlainMap } from '../msgpack/msgpack.codec';
import { pickFromMap } from '../msgpack/msgpack-pick';

/** Frames above this size are not decoded whole: a 64 MiB AgentJobDone takes ~150 ms to decode, 200–400 ms to copy. */
const LARGE_FRAME_BYTES = 1024 * 1024;
/** What a large message keeps: its type and the job's outcome; its bulk (custom, problems, tests, archive, output) is skipped. */
const OUTCOME_KEYS = ['@type', 'job_id', 'result', 'grade', 'state'];
const NO_BULK = { custom: {}, problems: {}, tests: {}, archive: null, stdout: null, stderr: null };

/**
 * What an agent sent to the embedded backend, decoded without holding its event loop, so that the Ping → Pong round
 * trips it times are the agent's, not its own decoding: a large frame (an AgentJobDone with a big result) gives only
 * its outcome. Undefined when the frame is not a msgpack map.
 */
export function decodeAgentFrame(frame: Buffer): Record<string, unknown> | undefined {
  try {
    if (frame.length > LARGE_FRAME_BYTES) return { ...NO_BULK, ...pickFromMap(frame, OUTCOME_KEYS) };
    const message = decode(frame);
    return isPlainMap(message) ? message : undefined;
  } catch {
    return undefined;
  }
}
