/**
 * Shared memory for large frames, used again: a frame gathered in fresh memory costs the event loop a page fault per
 * 4 KiB as it fills (~75 ms for 16 MiB on this project's machine), in memory already used ~2 ms. A buffer is given
 * back only by a reader that knows nothing refers to it any more; at most `maxIdleBytes` wait for the next frame.
 */
export class FrameBuffers {
  private readonly idle: SharedArrayBuffer[] = [];

  constructor(private readonly maxIdleBytes: number) {}

  /** A buffer of exactly `length` bytes over shared memory, idle memory that fits if there is some. */
  take(length: number): Buffer {
    const fits = this.idle.filter((memory) => memory.byteLength >= length).sort((a, b) => a.byteLength - b.byteLength)[0];
    if (fits) this.idle.splice(this.idle.indexOf(fits), 1);
    return Buffer.from(fits ?? new SharedArrayBuffer(capacityFor(length)), 0, length);
  }

  /** The frame's memory waits for a later frame, unless that would keep too much idle. */
  give(frame: Buffer): void {
    const memory = frame.buffer;
    if (!(memory instanceof SharedArrayBuffer) || this.idle.includes(memory)) return;
    const idleBytes = this.idle.reduce((sum, m) => sum + m.byteLength, 0);
    if (idleBytes + memory.byteLength <= this.maxIdleBytes) this.idle.push(memory);
  }
}

/** Sizes rounded up to a power of two, so that memory freed by one frame fits the next of about its size. */
export function capacityFor(length: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(length, 1)));
}
