import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ContainerLink } from '../../../src/container-link/container-link';
import { DockerStreamDemuxer, DockerStreamError } from '../../../src/container-link/docker-stream-demuxer';
import { decodeMessage, encodeFrame, FrameDecoder, FrameError } from '../../../src/container-link/frame-codec';
import { encode } from '../../../src/msgpack/msgpack.codec';
import { chunked, FUZZ_RUNS, msgpackValue } from './fuzz-settings';

const MAX_FRAME = 4096;
const PREFIX = 4;

/** Docker's multiplexing of payloads: 8-byte header (stream, 0, 0, 0, length) then the payload. */
function dockerFrame(stream: 1 | 2, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

const containerMessage = fc
  .record({ type: fc.string({ maxLength: 20 }), body: fc.dictionary(fc.string({ maxLength: 8 }), msgpackValue, { maxKeys: 3 }) })
  .map(({ type, body }) => ({ ...body, type }));

describe('container frames, fuzzed', () => {
  it('split and merged Docker chunks carrying split and merged frames give back the same messages and stderr', () => {
    fc.assert(
      fc.property(
        fc.array(containerMessage, { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.array(fc.string({ minLength: 1, maxLength: 10 }), { maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (messages, dockerCuts, stderrTexts, transportCuts) => {
          const stdout = Buffer.concat(messages.map((m) => encodeFrame(m)));
          const parts: Array<[1 | 2, Buffer]> = chunked(stdout, dockerCuts).map((p) => [1, p]);
          // stderr frames interleaved between stdout payloads
          stderrTexts.forEach((text, i) => parts.splice((i * 3) % (parts.length + 1), 0, [2, Buffer.from(text)]));
          const wire = Buffer.concat(parts.map(([stream, payload]) => dockerFrame(stream, payload)));
          const expectedStderr = parts.filter(([stream]) => stream === 2).map(([, payload]) => payload.toString()).join('');

          const received: unknown[] = [];
          const stderr: string[] = [];
          const frames = new FrameDecoder(1 << 20, (raw) => received.push(decodeMessage(raw)));
          const demuxer = new DockerStreamDemuxer((p) => frames.push(p), (p) => stderr.push(p.toString()));
          for (const chunk of chunked(wire, transportCuts)) demuxer.push(chunk);

          expect(received).toEqual(messages.map((m) => decodeMessage(encode(m))));
          expect(stderr.join('')).toBe(expectedStderr);
          expect(frames.leftover).toBe(0);
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('any length prefixes: only FrameError escapes, a frame over the cap is refused on its prefix, the cap bounds what is held', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (length, chunks) => {
        const prefix = Buffer.alloc(PREFIX);
        prefix.writeUInt32BE(length);
        const decoder = new FrameDecoder(MAX_FRAME, () => undefined);
        if (length > MAX_FRAME) {
          expect(() => decoder.push(prefix)).toThrow(FrameError);
          return;
        }
        try {
          for (const chunk of [prefix, ...chunks.map((c) => Buffer.from(c))]) {
            decoder.push(chunk);
            expect(decoder.leftover).toBeLessThan(PREFIX + MAX_FRAME + 64);
          }
        } catch (error) {
          if (!(error instanceof FrameError)) throw error;
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('any bytes on the attach stream: the link never throws, reports a broken protocol at most once, ends once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 256 }),
          fc.array(fc.tuple(fc.constantFrom<1 | 2>(1, 2), fc.uint8Array({ minLength: 1, maxLength: 64 })), { maxLength: 6 })
            .map((parts) => new Uint8Array(Buffer.concat(parts.map(([s, p]) => dockerFrame(s, Buffer.from(p)))))),
        ),
        fc.array(fc.nat(), { maxLength: 8 }),
        async (bytes, cuts) => {
          const stream = new PassThrough();
          const seen = { frames: 0, protocolErrors: 0, ends: 0 };
          const ended = new Promise<void>((resolve) => {
            new ContainerLink(stream, MAX_FRAME, {
              onFrame: () => void seen.frames++,
              onStderr: () => undefined,
              onProtocolError: (error) => {
                expect(error instanceof DockerStreamError || error instanceof FrameError).toBe(true);
                seen.protocolErrors++;
              },
              onEnd: () => (seen.ends++, resolve()),
            }, { read: decodeMessage });
          });
          for (const chunk of chunked(bytes, cuts)) stream.write(chunk);
          stream.end();
          await ended;
          expect(seen.protocolErrors).toBeLessThanOrEqual(1);
          expect(seen.ends).toBe(1);
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
});
