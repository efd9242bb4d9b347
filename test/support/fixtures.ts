import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The golden captures of the real INGInious backend, agent and grading containers (a copy of ../shared/fixtures, kept in the repository so a clone is self-contained). */
export const FIXTURES = resolve(__dirname, '../fixtures/captures');

export function fixtureBytes(...path: string[]): Buffer {
  return readFileSync(join(FIXTURES, ...path));
}

export function fixtureJson<T = unknown>(...path: string[]): T {
  return JSON.parse(readFileSync(join(FIXTURES, ...path), 'utf8')) as T;
}
