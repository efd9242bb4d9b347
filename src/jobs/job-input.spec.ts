import { describe, expect, it } from 'vitest';
import { checkTaskLocation } from './job-identifiers';
import { INTERACTIVE_LIMIT_SECONDS, parseJobParameters } from './job-parameters';
import { JobRejected } from './job-rejected.error';
import { isBase64Text, isRejected, validateResultMap } from './result-map';

describe('checkTaskLocation', () => {
  it('accepts plain ids and a job with neither course nor task', () => {
    expect(checkTaskLocation('LSINF1252', 'hello_world-2')).toEqual({ courseId: 'LSINF1252', taskId: 'hello_world-2' });
    expect(checkTaskLocation(null, null)).toBeUndefined();
  });

  it.each([
    ['..', 't'],
    ['c', '../../etc'],
    ['/abs', 't'],
    ['c', 'a/b'],
    ['c', ''],
    ['c.d', 't'],
    ['c', 't\0'],
  ])('refuses %j / %j with a text naming the id', (course, task) => {
    expect(() => checkTaskLocation(course, task)).toThrow(JobRejected);
    expect(() => checkTaskLocation(course, task)).toThrow(/not a plain id/);
  });

  it('refuses a course without a task', () => {
    expect(() => checkTaskLocation('c', null)).toThrow(JobRejected);
  });
});

describe('parseJobParameters', () => {
  const options = { interactive: false, maxMemoryMiB: 4096, ideDebugger: false };

  it('applies the defaults of the Python agent', () => {
    expect(parseJobParameters({}, options)).toEqual({
      limits: { cpuSeconds: 30, wallSeconds: 90, memoryMiB: 200 },
      diskMiB: 1024,
      networkGrading: false,
      runCmd: '',
    });
  });

  it('reads limits.disk in MiB; empty or 0 means the webapp\'s default of 1024', () => {
    expect(parseJobParameters({ limits: { disk: '50' } }, options).diskMiB).toBe(50);
    expect(parseJobParameters({ limits: { disk: '' } }, options).diskMiB).toBe(1024);
    expect(parseJobParameters({ limits: { disk: 0 } }, options).diskMiB).toBe(1024);
  });

  it('reads numbers and numeric strings, hard_time defaults to 3 × time, memory raised to 20', () => {
    expect(parseJobParameters({ limits: { time: '10', memory: 5 } }, options).limits).toEqual({
      cpuSeconds: 10,
      wallSeconds: 30,
      memoryMiB: 20,
    });
    expect(parseJobParameters({ limits: { time: 10, hard_time: 12 } }, options).limits.wallSeconds).toBe(12);
    expect(parseJobParameters({ limits: { time: '30', memory: '100', hard_time: '' } }, options).limits).toEqual({
      cpuSeconds: 30,
      wallSeconds: 90,
      memoryMiB: 100,
    });
  });

  it('interactive jobs get 30 minutes for both limits', () => {
    const limits = parseJobParameters({ limits: { time: 10 } }, { ...options, interactive: true }).limits;
    expect(limits).toMatchObject({ cpuSeconds: INTERACTIVE_LIMIT_SECONDS, wallSeconds: INTERACTIVE_LIMIT_SECONDS });
  });

  it('the IDE debugger gives the job network and 30 minutes, as the Python agent does', () => {
    const parsed = parseJobParameters({ limits: { time: 10 }, network_grading: false }, { ...options, ideDebugger: true });
    expect(parsed.networkGrading).toBe(true);
    expect(parsed.limits).toMatchObject({ cpuSeconds: INTERACTIVE_LIMIT_SECONDS, wallSeconds: INTERACTIVE_LIMIT_SECONDS });
    expect(parseJobParameters({ network_grading: true }, options).networkGrading).toBe(true);
  });

  it.each([
    [{ limits: 'fast' }, /limits/],
    [{ limits: { time: 'abc' } }, /limits.time/],
    [{ limits: { memory: -1 } }, /limits.memory/],
    [{ run_cmd: 3 }, /run_cmd/],
    [{ limits: { memory: 5000 } }, /5000 MiB/],
  ])('refuses %j', (parameters, message) => {
    expect(() => parseJobParameters(parameters, options)).toThrow(message);
  });
});

describe('validateResultMap', () => {
  it('defaults: result error, empty text/maps/state', () => {
    expect(validateResultMap({})).toEqual({
      result: 'error', text: '', grade: undefined, problems: {}, tests: {}, custom: {}, state: '', archive: null, stdout: '', stderr: '',
    });
  });

  it('accepts a whole-number grade, bigints included, and decodes the archive', () => {
    const r = validateResultMap({ result: 'success', grade: 100n, archive: Buffer.from('tgz').toString('base64') });
    expect(isRejected(r) ? r : { grade: r.grade, archive: r.archive?.toString() }).toEqual({ grade: 100, archive: 'tgz' });
  });

  it.each([
    [[1], 'not a map'],
    [{ result: 'success', extra: 1 }, 'unexpected key "extra"'],
    [{ grade: 'high' }, '"grade" is not a number'],
    [{ text: 3 }, '"text" is not text'],
    [{ result: 'great' }, 'unknown result'],
    [{ problems: { 'q 1': ['failed', 'x'] } }, 'invalid key'],
    [{ problems: { q1: { nested: true } } }, 'must not be a map'],
    [{ tests: [] }, '"tests" is not a map'],
    [{ archive: '***' }, 'not base64'],
  ])('rejects %j', (value, reason) => {
    const r = validateResultMap(value);
    expect(isRejected(r) && r.rejected).toContain(reason);
  });

  it('test keys may contain "*", problem keys may not', () => {
    expect(isRejected(validateResultMap({ tests: { 'a*': 1 } }))).toBe(false);
    expect(isRejected(validateResultMap({ problems: { 'a*': 1 } }))).toBe(true);
  });
});

describe('isBase64Text', () => {
  it.each([
    ['', true], ['QUJD', true], ['QQ==', true], ['QUI=\n', true], ['QU\nJD\r\n', true], [' \tQUJD = ', true],
    ['QQ===', false], ['QQ==QQ', false], ['QUJD*', false], ['QUJD\u00a0', false], ['=QQ', false],
  ])('%j → %s', (text, expected) => {
    expect(isBase64Text(text)).toBe(expected);
  });

  it('refuses 100 000 spaces and one bad character in one linear pass', () => {
    const hostile = `${' '.repeat(100_000)}!`;
    expect(isBase64Text(hostile)).toBe(false);
    expect(isBase64Text(hostile.repeat(50))).toBe(false);
  });
});
