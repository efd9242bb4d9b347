import { Writable } from 'node:stream';
import fc from 'fast-check';
import type { PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { BackendNewJob } from '../../../src/backend/backend.messages';
import { encodeFrame } from '../../../src/container-link/frame-codec';
import { outsideValueSerializers } from '../../../src/logging/outside-value-serializers';
import { createJobsHarness, type JobsHarness, newJob } from '../support/jobs-service-harness';
import { FUZZ_RUNS, hostileText, msgpackValue } from './fuzz-settings';

/** Log bytes allowed per job, whatever it carried: a dozen lines quoting cut values. */
const LOG_BYTES_PER_JOB = 16_384;

const orValid = <T>(valid: T, other: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: fc.constant(valid) }, { weight: 1, arbitrary: other });

const request = fc.record({
  job_id: hostileText,
  course_id: orValid<string | null>('c', fc.oneof(hostileText, fc.constant(null))),
  task_id: orValid<string | null>('t', fc.oneof(hostileText, fc.constant(null))),
  environment_type: orValid('docker', hostileText),
  environment: orValid('default', hostileText),
  environment_parameters: fc.oneof(
    fc.constant({}),
    fc.record({ limits: fc.dictionary(fc.constantFrom('time', 'hard_time', 'memory', 'disk'), fc.oneof(msgpackValue, hostileText)) }),
    fc.dictionary(fc.string(), msgpackValue, { maxKeys: 3 }),
  ),
  inputdata: fc.dictionary(fc.string(), msgpackValue, { maxKeys: 3 }),
  debug: fc.constantFrom<BackendNewJob['debug']>(false, true, 'ssh'),
});

/** What the container writes: frames of any message (results of any shape among them) or raw bytes. */
const stdoutPayload = fc.oneof(
  fc.dictionary(fc.oneof(fc.constantFrom('result', 'text', 'grade', 'problems'), hostileText), msgpackValue, { maxKeys: 4 })
    .map((result) => encodeFrame({ type: 'result', result })),
  fc.record({ type: fc.oneof(fc.constantFrom('result', 'run_student', 'ssh_debug'), hostileText) }, { requiredKeys: [] })
    .chain((head) => fc.dictionary(fc.string(), msgpackValue, { maxKeys: 3 }).map((body) => encodeFrame({ ...body, ...head }))),
  fc.uint8Array({ minLength: 1, maxLength: 32 }).map((bytes) => Buffer.from(bytes)),
);

const fate = fc.constantFrom('exit', 'oom', 'kill', 'limit', 'vanish', 'kill-unknown');

const scenario = fc.array(fc.record({ request, output: fc.array(stdoutPayload, { maxLength: 4 }), fate }), { minLength: 1, maxLength: 3 });

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function until(condition: () => boolean, turns = 200): Promise<void> {
  for (let i = 0; i < turns && !condition(); i++) await turn();
}

function stdoutFrame(payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = 1;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** Writes the output, then ends the container the chosen way. */
function play(harness: JobsHarness, jobId: string, output: Buffer[], how: string): void {
  const job = harness.jobs.get(jobId);
  const containerId = job?.containerId;
  if (how === 'kill-unknown') harness.service.kill({ '@type': 'BackendKillJob', job_id: `${jobId}?`, state: '' });
  if (!job || !containerId) return;
  for (const payload of output) harness.docker.streams.get(containerId)?.push(stdoutFrame(payload));
  if (how === 'oom') harness.docker.oom(containerId);
  else if (how === 'kill') harness.service.kill({ '@type': 'BackendKillJob', job_id: jobId, state: 's' });
  else if (how === 'limit') (harness.timeouts.watch.mock.calls.find((call) => call[0] === containerId)?.[2] as (r: string) => void)('cpu');
  else if (how === 'vanish') harness.service.containerVanished(job);
  else harness.docker.die(containerId);
}

describe('JobsService under fuzzed jobs and containers', () => {
  it('every job gets exactly one AgentJobDone, nothing is left held, and the log stays bounded', async () => {
    let logBytes = 0;
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => ((logBytes += chunk.length), done()) });
    const logger = pino({ serializers: outsideValueSerializers, level: 'debug' }, sink) as unknown as PinoLogger;
    await fc.assert(
      fc.asyncProperty(scenario, async (jobs) => {
        const harness = createJobsHarness(logger);
        const logBefore = logBytes;
        const ids = jobs.map(({ request: r }, i) => `${i}:${r.job_id}`);
        jobs.forEach(({ request: r }, i) => harness.service.start(newJob(ids[i], { ...r, job_id: ids[i] })));
        await until(() => ids.every((id) => harness.done(id).length > 0 || harness.docker.running.has(harness.jobs.get(id)?.containerId ?? '')));
        jobs.forEach(({ output, fate: how }, i) => play(harness, ids[i], output, how));
        await until(() => ids.every((id) => harness.done(id).length > 0) && harness.jobs.size === 0);
        await turn();
        for (const id of ids) expect(harness.done(id)).toHaveLength(1);
        expect(harness.jobs.size).toBe(0);
        expect(harness.ports.inUse()).toBe(0);
        expect(logBytes - logBefore).toBeLessThan(LOG_BYTES_PER_JOB * jobs.length);
      }),
      { numRuns: FUZZ_RUNS },
    );
  }, 300_000);
});
