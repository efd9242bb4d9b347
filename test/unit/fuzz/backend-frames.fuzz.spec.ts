import { Writable } from 'node:stream';
import fc from 'fast-check';
import type { PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { parseBackendFrame } from '../../../src/backend/backend-frame.parser';
import { BackendTransport } from '../../../src/backend/backend-transport';
import { outsideValueSerializers } from '../../../src/logging/outside-value-serializers';
import { encode } from '../../../src/msgpack/msgpack.codec';
import { FUZZ_RUNS, hostileText, msgpackValue } from './fuzz-settings';

const VALID: Record<string, Record<string, unknown>> = {
  BackendNewJob: {
    '@type': 'BackendNewJob', job_id: 'j', course_id: 'c', task_id: 't', task_problems: {}, inputdata: {},
    environment_type: 'docker', environment: 'default', environment_parameters: {}, debug: false,
  },
  BackendKillJob: { '@type': 'BackendKillJob', job_id: 'j', state: '' },
  Ping: { '@type': 'Ping' },
};

/** A valid message with some keys dropped, some replaced by anything (often huge text), some added. */
const mutatedMessage = fc
  .record({
    base: fc.constantFrom(...Object.keys(VALID)),
    drop: fc.array(fc.nat(), { maxLength: 3 }),
    replace: fc.array(fc.tuple(fc.nat(), fc.oneof(msgpackValue, hostileText)), { maxLength: 3 }),
    add: fc.dictionary(hostileText, msgpackValue, { maxKeys: 3 }),
  })
  .map(({ base, drop, replace, add }) => {
    const message: Record<string, unknown> = { ...VALID[base], ...add };
    const keys = Object.keys(VALID[base]);
    for (const index of drop) delete message[keys[index % keys.length]];
    for (const [index, value] of replace) message[keys[index % keys.length]] = value;
    return message;
  });

/** What a backend (or anyone reaching the port) may send: raw bytes, any msgpack value, or a mutated message. */
const backendFrames = fc.oneof(
  fc.array(fc.uint8Array({ maxLength: 64 }), { minLength: 0, maxLength: 3 }).map((frames) => frames.map((f) => Buffer.from(f))),
  msgpackValue.map((value) => [encode(value)]),
  mutatedMessage.map((message) => [encode(message)]),
  fc.tuple(fc.nat({ max: 0x3fffffff }), hostileText).map(([type, text]) => [encode({ '@type': text, n: type })]),
);

/** Log bytes allowed for one dropped frame: one line quoting a few cut values. */
const LOG_BYTES_PER_FRAME = 4096;

function countingLogger(): { logger: PinoLogger; bytes: () => number } {
  let bytes = 0;
  const sink = new Writable({ write: (chunk: Buffer, _e, done) => ((bytes += chunk.length), done()) });
  const logger = pino({ serializers: outsideValueSerializers, level: 'debug' }, sink);
  return { logger: logger as unknown as PinoLogger, bytes: () => bytes };
}

describe('backend frames, fuzzed', () => {
  it('the parser never throws, and says why in bounded words', () => {
    fc.assert(
      fc.property(backendFrames, (frames) => {
        const parsed = parseBackendFrame(frames);
        if (!parsed.ok) expect(parsed.problem.length).toBeLessThan(1500);
        else expect(Object.keys(VALID)).toContain(parsed.message['@type']);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('the transport logs each bad frame in a bounded line and keeps going', () => {
    const { logger, bytes } = countingLogger();
    const transport = new BackendTransport(
      {} as never, {} as never, {} as never, {} as never, {} as never, logger,
    );
    const dispatch = (frames: Buffer[]) => (transport as unknown as { dispatch(f: Buffer[]): void }).dispatch(frames);
    fc.assert(
      fc.property(backendFrames, (frames) => {
        const before = bytes();
        expect(() => dispatch(frames)).not.toThrow();
        expect(bytes() - before).toBeLessThan(LOG_BYTES_PER_FRAME);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
