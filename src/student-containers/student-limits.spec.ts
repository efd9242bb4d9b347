import { describe, expect, it } from 'vitest';
import type { RunStudentRequest } from './run-student-request';
import { studentLimits } from './student-limits';
import { studentRuntime } from './student-runtime';

const parent = { cpuSeconds: 10, wallSeconds: 30, memoryMiB: 100 };
const request = (fields: Partial<RunStudentRequest>): RunStudentRequest => ({
  cpuSeconds: 0, wallSeconds: 0, memoryMiB: 0, shareNetwork: false, socketId: 's', ssh: false, runAsRoot: false, ...fields,
});

describe('studentLimits', () => {
  it('0 means the parent\'s limit', () => {
    expect(studentLimits(request({}), parent)).toEqual(parent);
  });

  it('caps asked limits at the parent\'s and keeps lower ones', () => {
    expect(studentLimits(request({ cpuSeconds: 99, wallSeconds: 5, memoryMiB: 5000 }), parent)).toEqual({ cpuSeconds: 10, wallSeconds: 5, memoryMiB: 100 });
  });

  it('SSH student containers get 30 minutes, memory still capped', () => {
    expect(studentLimits(request({ ssh: true, memoryMiB: 5000 }), parent)).toEqual({ cpuSeconds: 1800, wallSeconds: 1800, memoryMiB: 100 });
  });
});

describe('studentRuntime', () => {
  const runc = { dockerRuntime: 'runc', envtype: 'docker', runAsRoot: false, sharedKernel: true, gpu: false };
  const kata = { dockerRuntime: 'kata-runtime', envtype: 'kata', runAsRoot: true, sharedKernel: false, gpu: false };

  it('keeps the environment\'s runtime unless root is asked and it does not run as root', () => {
    expect(studentRuntime(runc, [runc, kata], false)).toBe(runc);
    expect(studentRuntime(kata, [runc, kata], true)).toBe(kata);
    expect(studentRuntime(runc, [runc, kata], true)).toBe(kata);
  });

  it('cannot honour root without a runtime that gives it', () => {
    expect(studentRuntime(runc, [runc], true)).toBeUndefined();
  });
});
