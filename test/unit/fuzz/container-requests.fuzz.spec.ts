import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRejected, RESULT_NAMES, validateResultMap } from '../../../src/jobs/result-map';
import { readRunStudentRequest } from '../../../src/student-containers/run-student-request';
import { FUZZ_RUNS, hostileText, msgpackValue } from './fuzz-settings';

/** Texts quoting outside values stay this short (a few cut quotes and their words). */
const REASON_LIMIT = 1000;

/** A map of the given keys, each absent, well-typed or anything, plus a few extra keys (often huge). */
function mapOf(keys: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.fromEntries(
    Object.entries(keys).map(([key, good]) => [key, fc.option(fc.oneof(good, good, msgpackValue, hostileText), { nil: undefined })]),
  );
  return fc
    .tuple(fc.record(fields), fc.dictionary(hostileText, msgpackValue, { maxKeys: 2 }), fc.boolean())
    .map(([known, extra, withExtra]) => {
      const map: Record<string, unknown> = withExtra ? { ...extra } : {};
      for (const [key, value] of Object.entries(known)) if (value !== undefined) map[key] = value;
      return map;
    });
}

const resultMap = mapOf({
  result: fc.constantFrom(...RESULT_NAMES),
  text: fc.string(),
  grade: fc.double(),
  problems: fc.dictionary(fc.oneof(fc.stringMatching(/^[a-z0-9._-]{1,8}$/), hostileText), msgpackValue, { maxKeys: 3 }),
  tests: fc.dictionary(fc.oneof(fc.stringMatching(/^[a-z0-9._*-]{1,8}$/), hostileText), msgpackValue, { maxKeys: 3 }),
  custom: fc.dictionary(fc.string(), msgpackValue, { maxKeys: 3 }),
  state: fc.string(),
  archive: fc.base64String(),
  stdout: fc.string(),
  stderr: fc.string(),
});

const runStudent = mapOf({
  type: fc.constant('run_student'),
  environment: fc.option(fc.string(), { nil: null }),
  time_limit: fc.option(fc.nat(), { nil: null }),
  hard_time_limit: fc.option(fc.nat(), { nil: null }),
  memory_limit: fc.option(fc.nat(), { nil: null }),
  share_network: fc.boolean(),
  socket_id: fc.oneof(fc.uuid(), fc.string()),
  ssh: fc.boolean(),
  run_as_root: fc.boolean(),
});

describe('what a grading container sends, fuzzed', () => {
  it('the result map validator never throws; what it accepts is well typed, what it refuses is said briefly', () => {
    fc.assert(
      fc.property(fc.oneof(resultMap, msgpackValue), (value) => {
        const checked = validateResultMap(value);
        if (isRejected(checked)) {
          expect(checked.rejected.length).toBeLessThan(REASON_LIMIT);
          return;
        }
        expect(RESULT_NAMES).toContain(checked.result);
        for (const key of ['text', 'state', 'stdout', 'stderr'] as const) expect(typeof checked[key]).toBe('string');
        expect(checked.grade === undefined || Number.isFinite(checked.grade)).toBe(true);
        for (const key of Object.keys(checked.problems)) expect(key).toMatch(/^[a-z0-9\-._]+$/i);
        for (const key of Object.keys(checked.tests)) expect(key).toMatch(/^[a-z0-9\-._*]+$/i);
        expect(checked.archive === null || Buffer.isBuffer(checked.archive)).toBe(true);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('run_student requests: never a throw; an accepted one names a plain socket and sane limits', () => {
    fc.assert(
      fc.property(runStudent, (message) => {
        const reading = readRunStudentRequest(message);
        if (!reading.ok) {
          expect(reading.reason.length).toBeLessThan(REASON_LIMIT);
          return;
        }
        const { request } = reading;
        expect(request.socketId).not.toBe('');
        expect(request.socketId).not.toContain('/');
        for (const limit of [request.cpuSeconds, request.wallSeconds, request.memoryMiB]) {
          expect(Number.isSafeInteger(limit) && limit >= 0).toBe(true);
        }
        expect(request.environment === undefined || typeof request.environment === 'string').toBe(true);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
