import { describe, expect, it } from 'vitest';
import { fixtureBytes } from '../../test/support/fixtures';
import { encode } from '../msgpack/msgpack.codec';
import { parseBackendFrame } from './backend-frame.parser';

const killJob = { job_id: 'j1', state: 's', '@type': 'BackendKillJob' };

function problemOf(frames: Buffer[]): string {
  const parsed = parseBackendFrame(frames);
  if (parsed.ok) throw new Error(`accepted ${JSON.stringify(parsed.message)}`);
  return parsed.problem;
}

describe('parseBackendFrame', () => {
  it.each([
    ['003-backend-to-agent-Ping.msgpack', 'Ping'],
    ['007-backend-to-agent-BackendNewJob.msgpack', 'BackendNewJob'],
    ['017-backend-to-agent-BackendKillJob.msgpack', 'BackendKillJob'],
  ])('accepts the captured %s', (file, type) => {
    const parsed = parseBackendFrame([fixtureBytes('backend', file)]);
    expect(parsed.ok && parsed.message['@type']).toBe(type);
  });

  it('keeps bin values of inputdata as bytes', () => {
    const parsed = parseBackendFrame([fixtureBytes('backend', '007-backend-to-agent-BackendNewJob.msgpack')]);
    if (!parsed.ok || parsed.message['@type'] !== 'BackendNewJob') throw new Error('not a job');
    const upload = parsed.message.inputdata.upload as { value: Uint8Array };
    expect(upload.value).toBeInstanceOf(Uint8Array);
    expect(upload.value.length).toBe(300);
  });

  it('accepts debug "ssh" and nil course/task ids', () => {
    const job = {
      job_id: 'j', course_id: null, task_id: null, task_problems: {}, inputdata: {}, environment_type: 'docker',
      environment: 'default', environment_parameters: {}, debug: 'ssh', '@type': 'BackendNewJob',
    };
    expect(parseBackendFrame([encode(job)]).ok).toBe(true);
  });

  it.each([
    ['truncated msgpack', [Buffer.from([0x92, 0x01])], /not msgpack/],
    ['an unknown extension type', [Buffer.from([0xd4, 0x01, 0x02])], /not msgpack/],
    ['the never-used byte 0xc1', [Buffer.from([0xc1])], /unknown @type|not msgpack/],
    ['empty bytes', [Buffer.alloc(0)], /not msgpack/],
    ['trailing bytes', [Buffer.concat([encode(killJob), Buffer.from([0x01])])], /not msgpack/],
    ['an int', [encode(42)], /not a msgpack map: a number/],
    ['an array', [encode([1])], /not a msgpack map: an array/],
    ['no @type', [encode({ job_id: 'x' })], /unknown @type \(none\)/],
    ['an unknown @type', [encode({ '@type': 'AgentHello' })], /unknown @type "AgentHello"/],
    ['an inherited property name as @type', [encode({ '@type': 'toString' })], /unknown @type "toString"/],
    ['an extra key', [encode({ ...killJob, extra: 1 })], /BackendKillJob: .*extra/],
    ['a missing key', [encode({ job_id: 'j1', '@type': 'BackendKillJob' })], /BackendKillJob: state: /],
    ['a wrong type', [encode({ ...killJob, job_id: 7 })], /BackendKillJob: job_id: /],
    ['bin where str is expected', [encode({ ...killJob, state: Buffer.from('s') })], /BackendKillJob: state: /],
    ['a bad debug value', [encode({ '@type': 'Ping', debug: 'yes' })], /Ping: /],
    ['two frames', [encode({ '@type': 'Ping' }), encode({ '@type': 'Ping' })], /expected 1 frame, got 2/],
  ])('rejects %s, saying why', (_, frames, problem) => {
    expect(problemOf(frames)).toMatch(problem);
  });
});
