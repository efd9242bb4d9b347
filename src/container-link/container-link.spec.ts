import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { AttachStream } from '../docker/docker.types';
import { ContainerLink } from './container-link';
import { encodeFrame, SMALL_FRAME_BYTES } from './frame-codec';

/** Docker's stdout framing around `payload`. */
const stdout = (payload: Buffer) => {
  const header = Buffer.alloc(8);
  header.writeUInt8(1, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

describe('ContainerLink', () => {
  it('gathers a large frame in the memory its reading allocates, and releases it once the frame was delivered', async () => {
    const stream = new PassThrough();
    const events: string[] = [];
    const memory = new SharedArrayBuffer(1 << 20);
    const ended = new Promise<void>((resolve) => {
      new ContainerLink(stream as unknown as AttachStream, 1 << 20, {
        onFrame: (raw, frame) => events.push(`delivered ${frame} ${raw.buffer === memory}`),
        onStderr: () => undefined,
        onProtocolError: (error) => events.push(`error ${error.message}`),
        onEnd: resolve,
      }, {
        read: (raw) => `${raw.length > SMALL_FRAME_BYTES ? 'large' : 'small'}`,
        allocate: (length) => (events.push(`allocate ${length}`), Buffer.from(memory, 0, length)),
        release: (raw, frame) => events.push(`release ${frame} ${raw.buffer === memory}`),
      });
    });
    const large = encodeFrame({ type: 'x', data: 'y'.repeat(2 * SMALL_FRAME_BYTES) });
    stream.write(stdout(encodeFrame({ type: 'x' })));
    stream.write(stdout(large));
    stream.end();
    await ended;
    expect(events).toEqual([
      `allocate ${large.length - 4}`, // as its length arrives; the frames are delivered after, in order
      'delivered small false',
      'release small false',
      'delivered large true',
      'release large true',
    ]);
  });

  it('pauses the stream while a large frame waits to be read; once frames are no longer wanted, it stays paused', async () => {
    const stream = new PassThrough();
    const delivered: string[] = [];
    let finishRead: (value: string) => void = () => undefined;
    let wanted = true;
    new ContainerLink(stream as unknown as AttachStream, 1 << 20, {
      onFrame: (_raw, frame) => delivered.push(String(frame)),
      onStderr: () => undefined,
      onProtocolError: (error) => delivered.push(`error ${error.message}`),
      onEnd: () => delivered.push('end'),
    }, {
      read: (raw) => (raw.length > SMALL_FRAME_BYTES ? new Promise<string>((resolve) => (finishRead = resolve)) : 'small'),
      skip: () => !wanted,
    });
    const large = () => stdout(encodeFrame({ type: 'x', data: 'y'.repeat(2 * SMALL_FRAME_BYTES) }));
    stream.write(large());
    await new Promise((r) => setImmediate(r));
    expect(stream.isPaused()).toBe(true); // the container's next writes wait
    stream.write(large());
    stream.write(stdout(encodeFrame({ type: 'after' })));
    finishRead('first'); // still wanted: read on, up to the second large frame, which waits in turn
    await new Promise((r) => setTimeout(r, 10));
    expect(delivered).toEqual(['first']);
    expect(stream.isPaused()).toBe(true);
    wanted = false;
    finishRead('result');
    stream.write(stdout(encodeFrame({ type: 'later' })));
    stream.end();
    await new Promise((r) => setTimeout(r, 10));
    expect(stream.isPaused()).toBe(true);
    expect(delivered).toEqual(['first', 'result']); // nothing after it, not even the end, is read
  });
});
