import { decode, encode } from '../msgpack/msgpack.codec';
import { FillingBuffer } from './filling-buffer';

export class FrameError extends Error {}

const PREFIX = 4;

/** Frames this small hold at most a few thousand values and decode in well under a millisecond, on the event loop. */
export const SMALL_FRAME_BYTES = 16 * 1024;

/** One message to a container: 4-byte big-endian length, then the msgpack map (wire.md §3). */
export function encodeFrame(message: Record<string, unknown>): Buffer {
  const body = encode(message);
  const prefix = Buffer.allocUnsafe(PREFIX);
  prefix.writeUInt32BE(body.length);
  return Buffer.concat([prefix, body]);
}

export interface FrameGathering {
  /** Memory for a large frame (default: fresh shared memory), so that a worker thread reads it where it is. */
  allocate?(length: number): Buffer;
  /** Whether frames are still wanted: when not, their bytes are passed over, and a frame under way is dropped. */
  skip?(): boolean;
}

/**
 * Cuts a byte stream into length-prefixed frames however it was split or merged. A frame longer than `maxBytes` is an
 * error before any of it is buffered, so a container cannot make the agent hold an arbitrary amount of memory. Each
 * frame is gathered in a buffer of its exact size as its bytes arrive; a large one in shared memory (see
 * FrameGathering), unless frames are skipped.
 */
export class FrameDecoder {
  private readonly prefix = new FillingBuffer(Buffer.alloc(PREFIX));
  private body?: FillingBuffer;
  /** bytes of a skipped frame still to pass over */
  private skipping = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly onFrame: (frame: Buffer) => void,
    private readonly gathering: FrameGathering = {},
  ) {}

  /** Throws FrameError when a frame announces more than maxBytes. */
  push(chunk: Buffer): void {
    let pos = 0;
    for (;;) {
      if (this.body && this.gathering.skip?.()) {
        this.skipping = this.body.target.length - this.body.filledBytes; // its memory is left to the garbage collector
        this.body = undefined;
      }
      if (this.skipping > 0) {
        const passed = Math.min(this.skipping, chunk.length - pos);
        pos += passed;
        this.skipping -= passed;
        if (this.skipping > 0) return;
      }
      if (!this.body) {
        pos += this.prefix.fillFrom(chunk, pos);
        if (!this.prefix.full) return;
        const length = this.prefix.target.readUInt32BE(0);
        if (length > this.maxBytes) {
          throw new FrameError(`a frame of ${length} bytes exceeds the agent's limit of ${this.maxBytes} bytes (AGENT_MAX_FRAME_BYTES)`);
        }
        this.prefix.reset();
        if (this.gathering.skip?.()) {
          this.skipping = length;
          continue;
        }
        this.body = new FillingBuffer(length <= SMALL_FRAME_BYTES ? Buffer.allocUnsafe(length) : this.allocate(length));
      }
      pos += this.body.fillFrom(chunk, pos);
      if (!this.body.full) return;
      const frame = this.body.target;
      this.body = undefined;
      this.onFrame(frame);
    }
  }

  /** Bytes received that do not make a whole frame (non-zero at end of stream means a truncated frame). */
  get leftover(): number {
    return this.body ? PREFIX + this.body.filledBytes : this.prefix.filledBytes;
  }

  private allocate(length: number): Buffer {
    return this.gathering.allocate?.(length) ?? Buffer.from(new SharedArrayBuffer(length));
  }
}

/** Decodes one frame body; undefined when it is not a msgpack map with a string `type`. */
export function decodeMessage(frame: Uint8Array): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = decode(frame);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) return undefined;
  return typeof (value as { type?: unknown }).type === 'string' ? (value as Record<string, unknown>) : undefined;
}
