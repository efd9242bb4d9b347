import { describe, expect, it } from 'vitest';
import { fixtureJson } from '../../test/support/fixtures';
import { readRunStudentRequest } from './run-student-request';

interface Capture {
  from_container: { messages: { decoded: Record<string, unknown> }[] };
}

describe('readRunStudentRequest', () => {
  it('reads the captured run_student of a real generation-4 image (nil environment, zero limits: the parent\'s)', () => {
    const capture = fixtureJson<Capture>('container', 'gen4-runstudent', 'index.json');
    const message = capture.from_container.messages[0].decoded;
    expect(readRunStudentRequest(message)).toEqual({
      ok: true,
      request: { environment: undefined, cpuSeconds: 0, wallSeconds: 0, memoryMiB: 0, shareNetwork: false, socketId: 'pnc39yzr7', ssh: false, runAsRoot: false },
    });
  });

  it('takes bigint limits and explicit flags', () => {
    const reading = readRunStudentRequest({
      type: 'run_student', environment: 'py', time_limit: 5n, hard_time_limit: 7, memory_limit: 64, share_network: true, socket_id: 'a', ssh: true, run_as_root: true,
    });
    expect(reading).toEqual({
      ok: true,
      request: { environment: 'py', cpuSeconds: 5, wallSeconds: 7, memoryMiB: 64, shareNetwork: true, socketId: 'a', ssh: true, runAsRoot: true },
    });
  });

  it('refuses a socket_id with "/" but keeps it to answer on', () => {
    expect(readRunStudentRequest({ socket_id: '../../etc/x' })).toEqual({ ok: false, reason: 'socket_id contains "/"', socketId: '../../etc/x' });
  });

  it('refuses without a socket to answer on when socket_id is not text', () => {
    expect(readRunStudentRequest({ socket_id: 3 })).toEqual({ ok: false, reason: 'socket_id is not a non-empty string' });
  });

  it.each([
    [{ time_limit: -1 }, /time_limit/],
    [{ memory_limit: 1.5 }, /memory_limit/],
    [{ environment: 4 }, /environment/],
    [{ ssh: 'yes' }, /ssh/],
  ])('refuses malformed fields %o', (fields, reason) => {
    const reading = readRunStudentRequest({ socket_id: 's', ...fields });
    expect(reading.ok).toBe(false);
    expect(!reading.ok && reading.reason).toMatch(reason);
  });
});
