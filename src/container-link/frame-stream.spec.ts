import { describe, expect, it } from 'vitest';
import { fixtureBytes } from '../../test/support/fixtures';
import { decode } from '../msgpack/msgpack.codec';
import { DockerStreamDemuxer, DockerStreamError } from './docker-stream-demuxer';
import { decodeMessage, encodeFrame, FrameDecoder, FrameError } from './frame-codec';

function readAll(stream: Buffer, chunkSizes: (i: number) => number, maxFrame = 1 << 20) {
  const messages: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  const frames = new FrameDecoder(maxFrame, (raw) => messages.push(decodeMessage(raw)!));
  const demuxer = new DockerStreamDemuxer((p) => frames.push(p), (p) => stderr.push(p.toString()));
  for (let offset = 0, i = 0; offset < stream.length; i++) {
    const size = Math.max(1, chunkSizes(i));
    demuxer.push(stream.subarray(offset, offset + size));
    offset += size;
  }
  return { messages, stderr, leftover: frames.leftover };
}

describe('attach stream parsing on captured bytes', () => {
  for (const capture of ['gen4-hello', 'gen4-debug', 'gen4-runstudent', 'gen3-probe-ok']) {
    it(`${capture}: same messages whatever the chunking`, () => {
      const stream = fixtureBytes('container', capture, 'from-container.bin');
      const whole = readAll(stream, () => stream.length);
      expect(whole.messages.at(-1)?.type).toBe('result');
      expect(whole.leftover).toBe(0);
      for (const chunking of [() => 1, () => 3, (i: number) => (i * 7) % 13 + 1]) {
        expect(readAll(stream, chunking).messages).toEqual(whole.messages);
      }
    });
  }

  it('gen4-runstudent: run_student then result, the result prefix alone in a Docker frame', () => {
    const { messages } = readAll(fixtureBytes('container', 'gen4-runstudent', 'from-container.bin'), () => 4096);
    expect(messages.map((m) => m.type)).toEqual(['run_student', 'result']);
    expect(messages[0]).toMatchObject({ socket_id: expect.any(String), share_network: false, ssh: false });
  });

  it('gen4-killed: an empty stream gives no message', () => {
    expect(readAll(fixtureBytes('container', 'gen4-killed', 'from-container.bin'), () => 10).messages).toEqual([]);
  });
});

describe('DockerStreamDemuxer', () => {
  const header = (stream: number, length: number) => Buffer.from([stream, 0, 0, 0, 0, 0, length >> 8, length & 0xff]);

  it('separates stdout and stderr', () => {
    const out: string[] = [];
    const err: string[] = [];
    const d = new DockerStreamDemuxer((p) => out.push(p.toString()), (p) => err.push(p.toString()));
    d.push(Buffer.concat([header(2, 3), Buffer.from('oops'.slice(0, 3)), header(1, 2), Buffer.from('ok')]));
    expect(out).toEqual(['ok']);
    expect(err).toEqual(['oop']);
  });

  it('hands a long payload on in pieces as they arrive, never gathering it', () => {
    const pieces: number[] = [];
    const d = new DockerStreamDemuxer((p) => pieces.push(p.length), () => {});
    const payload = Buffer.alloc(200_000, 7);
    const stream = Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 3, 0x0d, 0x40]), payload]);
    for (let offset = 0; offset < stream.length; offset += 65_536) d.push(stream.subarray(offset, offset + 65_536));
    expect(pieces).toEqual([65_528, 65_536, 65_536, 3_400]);
  });

  it('refuses a zero-length header and bytes that are not Docker headers', () => {
    const d = new DockerStreamDemuxer(() => {}, () => {});
    expect(() => d.push(header(1, 0))).toThrow(DockerStreamError);
    const g = new DockerStreamDemuxer(() => {}, () => {});
    expect(() => g.push(Buffer.from('garbage!garbage!'))).toThrow(DockerStreamError);
  });
});

describe('FrameDecoder', () => {
  it('refuses a frame over the cap before buffering it', () => {
    const frames = new FrameDecoder(1024, () => {});
    expect(() => frames.push(Buffer.from([0x80, 0, 0, 0]))).toThrow(FrameError);
  });

  it('gathers a large frame in shared memory however it is cut, and counts what a cut-off frame left', () => {
    const got: Buffer[] = [];
    const frames = new FrameDecoder(1 << 22, (f) => got.push(f));
    const message = { type: 'result', result: { text: 'x'.repeat(300_000) } };
    const bytes = Buffer.concat([encodeFrame(message), encodeFrame({ type: 'next' }), Buffer.from([0, 0, 0, 9, 1, 2])]);
    for (let offset = 0; offset < bytes.length; offset += 65_536) frames.push(bytes.subarray(offset, offset + 65_536));
    expect(got.map((f) => decode(f))).toEqual([message, { type: 'next' }]);
    expect(got[0].buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(got[1].buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(frames.leftover).toBe(6);
  });

  it('once frames are skipped: passes over their bytes without gathering them, and drops the frame under way', () => {
    const got: unknown[] = [];
    const allocated: number[] = [];
    let skip = false;
    const frames = new FrameDecoder(1 << 22, (f) => got.push(decode(f)), {
      allocate: (length) => {
        allocated.push(length);
        return Buffer.from(new SharedArrayBuffer(length));
      },
      skip: () => skip,
    });
    const large = (n: number) => encodeFrame({ type: 'big', n, text: 'x'.repeat(100_000) });
    const bytes = Buffer.concat([encodeFrame({ type: 'first' }), large(1), large(2), encodeFrame({ type: 'after' }), Buffer.alloc(4)]);
    const firstLarge = encodeFrame({ type: 'first' }).length;
    frames.push(bytes.subarray(0, firstLarge + 50_000)); // halfway through the first large frame
    skip = true;
    for (let offset = firstLarge + 50_000; offset < bytes.length; offset += 30_000) frames.push(bytes.subarray(offset, offset + 30_000));
    expect(got).toEqual([{ type: 'first' }]);
    expect(allocated).toHaveLength(1); // the second large frame was never gathered
    expect(frames.leftover).toBe(0);
    skip = false;
    frames.push(encodeFrame({ type: 'wanted again' }));
    expect(got).toEqual([{ type: 'first' }, { type: 'wanted again' }]);
  });

  it('delivers an empty frame at once', () => {
    const got: Buffer[] = [];
    new FrameDecoder(16, (f) => got.push(f)).push(Buffer.from([0, 0, 0, 0]));
    expect(got).toEqual([Buffer.alloc(0)]);
  });

  it('round-trips encodeFrame, bin kept as bin', () => {
    const got: Buffer[] = [];
    const frames = new FrameDecoder(1 << 20, (f) => got.push(f));
    const message = { type: 'start', input: { f: Buffer.from([0, 255, 128]) } };
    const bytes = encodeFrame(message);
    frames.push(bytes.subarray(0, 2));
    frames.push(bytes.subarray(2));
    expect(decode(got[0])).toEqual(message);
  });

  it('decodeMessage: undefined for non-maps and maps without a string type', () => {
    expect(decodeMessage(Buffer.from([0x01]))).toBeUndefined();
    expect(decodeMessage(Buffer.from([0xc1]))).toBeUndefined();
    expect(decodeMessage(encodeFrame({ type: 3 }).subarray(4))).toBeUndefined();
    expect(decodeMessage(encodeFrame({ type: 'result' }).subarray(4))).toEqual({ type: 'result' });
  });
});
