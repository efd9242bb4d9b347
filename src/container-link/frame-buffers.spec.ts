import { describe, expect, it } from 'vitest';
import { capacityFor, FrameBuffers } from './frame-buffers';

describe('FrameBuffers', () => {
  it('hands out shared memory of the exact length asked, in a power-of-two capacity', () => {
    const frame = new FrameBuffers(1 << 20).take(100_000);
    expect(frame.length).toBe(100_000);
    expect(frame.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(frame.buffer.byteLength).toBe(capacityFor(100_000));
    expect(capacityFor(100_000)).toBe(131_072);
    expect(capacityFor(131_072)).toBe(131_072);
  });

  it('gives memory given back to the next frame that fits, the smallest that fits first, each once', () => {
    const buffers = new FrameBuffers(1 << 22);
    const small = buffers.take(40_000);
    const large = buffers.take(1_000_000);
    buffers.give(large);
    buffers.give(small);
    buffers.give(small); // twice: still one idle buffer
    expect(buffers.take(30_000).buffer).toBe(small.buffer);
    expect(buffers.take(30_000).buffer).toBe(large.buffer);
    expect(buffers.take(30_000).buffer).not.toBe(small.buffer);
  });

  it('never gives memory too small, and makes new memory for a frame larger than any idle', () => {
    const buffers = new FrameBuffers(1 << 22);
    const small = buffers.take(40_000);
    buffers.give(small);
    const larger = buffers.take(200_000);
    expect(larger.buffer).not.toBe(small.buffer);
    expect(larger.buffer.byteLength).toBeGreaterThanOrEqual(200_000);
  });

  it('keeps at most its idle bound, and nothing that is not shared memory', () => {
    const buffers = new FrameBuffers(1 << 18);
    const a = buffers.take(200_000); // 256 KiB
    const b = buffers.take(200_000);
    buffers.give(a);
    buffers.give(b); // over the bound: dropped
    buffers.give(Buffer.alloc(100));
    expect(buffers.take(200_000).buffer).toBe(a.buffer);
    expect(buffers.take(200_000).buffer).not.toBe(b.buffer);
  });
});
