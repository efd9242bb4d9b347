import { isPlainMap } from '../msgpack/msgpack.codec';
import type { ResultName } from '../backend/backend.messages';
import { cut } from '../logging/cut-value';

export const RESULT_NAMES: readonly ResultName[] = ['success', 'failed', 'error', 'crash', 'timeout', 'overflow', 'killed'];

/** A `result` map from a grading container that passed validation (wire.md §3 "The result map"). */
export interface GraderResult {
  result: ResultName;
  text: string;
  grade?: number;
  problems: Record<string, unknown>;
  tests: Record<string, unknown>;
  custom: Record<string, unknown>;
  state: string;
  archive: Buffer | null;
  stdout: string;
  stderr: string;
}

const PROBLEM_KEY = /^[a-z0-9\-._]+$/i;
const TEST_KEY = /^[a-z0-9\-._*]+$/i;
const STRING_KEYS = ['result', 'text', 'state', 'archive', 'stdout', 'stderr'] as const;
const ALLOWED_KEYS = new Set<string>([...STRING_KEYS, 'grade', 'problems', 'tests', 'custom']);

/** Returns the accepted result, or the reason it is refused. */
export function validateResultMap(value: unknown): GraderResult | { rejected: string } {
  if (!isPlainMap(value)) return { rejected: 'the result is not a map' };
  for (const key of Object.keys(value)) {
    if (!ALLOWED_KEYS.has(key)) return { rejected: `unexpected key "${cut(key)}"` };
  }
  for (const key of STRING_KEYS) {
    if (value[key] !== undefined && typeof value[key] !== 'string') return { rejected: `"${key}" is not text` };
  }
  const result = (value.result as string | undefined) ?? 'error';
  if (!RESULT_NAMES.includes(result as ResultName)) return { rejected: `unknown result "${cut(result)}"` };
  const grade = value.grade;
  if (grade !== undefined && !(typeof grade === 'number' && Number.isFinite(grade)) && typeof grade !== 'bigint') {
    return { rejected: '"grade" is not a number' };
  }
  const maps: Record<'problems' | 'tests' | 'custom', Record<string, unknown>> = { problems: {}, tests: {}, custom: {} };
  for (const [key, keyPattern] of [['problems', PROBLEM_KEY], ['tests', TEST_KEY], ['custom', undefined]] as const) {
    const map = value[key] ?? {};
    if (!isPlainMap(map)) return { rejected: `"${key}" is not a map` };
    if (keyPattern) {
      for (const [entryKey, entryValue] of Object.entries(map)) {
        if (!keyPattern.test(entryKey)) return { rejected: `"${key}" has an invalid key "${cut(entryKey)}"` };
        if (isPlainMap(entryValue)) return { rejected: `"${key}.${cut(entryKey)}" must not be a map` };
      }
    }
    maps[key] = map;
  }
  const archive = value.archive as string | undefined;
  if (archive !== undefined && !isBase64Text(archive)) return { rejected: '"archive" is not base64' };
  return {
    result: result as ResultName,
    text: (value.text as string | undefined) ?? '',
    grade: grade === undefined ? undefined : Number(grade),
    ...maps,
    state: (value.state as string | undefined) ?? '',
    archive: archive === undefined ? null : Buffer.from(archive, 'base64'),
    stdout: (value.stdout as string | undefined) ?? '',
    stderr: (value.stderr as string | undefined) ?? '',
  };
}

export function isRejected(value: GraderResult | { rejected: string }): value is { rejected: string } {
  return 'rejected' in value;
}

/**
 * Base64 letters and ASCII white space, then at most two "=" and white space: one pass over the text, whatever it
 * holds (a backtracking pattern here took seconds on a long run of spaces followed by one bad character).
 */
export function isBase64Text(text: string): boolean {
  let i = 0;
  while (i < text.length && (isBase64Letter(text.charCodeAt(i)) || isAsciiSpace(text.charCodeAt(i)))) i++;
  for (let padding = 0; padding < 2 && text.charCodeAt(i) === EQUALS; padding++) i++;
  while (i < text.length && isAsciiSpace(text.charCodeAt(i))) i++;
  return i === text.length;
}

const EQUALS = 0x3d;

function isBase64Letter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f;
}

function isAsciiSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}
