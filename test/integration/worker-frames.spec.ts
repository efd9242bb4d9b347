import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContainerFrame } from '../../src/jobs/container-frame';
import { readContainerFrame } from '../../src/jobs/container-frame';
import { decode, encode, Float64 } from '../../src/msgpack/msgpack.codec';
import { WorkerPool } from '../../src/worker-pool/worker-pool';
import { REPO } from '../support/agent-process';
import { fixtureBytes } from '../support/fixtures';

/** The built worker file (`npm run build`), in real worker threads: same answers, same bytes as on the event loop. */
describe('container frames read in a worker thread (built agent)', () => {
  const pool = new WorkerPool();
  const workerFile = join(REPO, 'dist', 'jobs', 'container-frame.worker.js');
  const bounds = { maxEntries: 100_000, maxDepth: 32 };
  afterAll(() => pool.onModuleDestroy());

  function inWorker(frame: Buffer): Promise<ContainerFrame> {
    const owned = new Uint8Array(frame);
    return pool.run<ContainerFrame>(workerFile, { jobId: 'job-1', frame: owned, bounds }, [owned.buffer]);
  }

  it('a result with float, bigint, bin and a large text: the same AgentJobDone bytes as encoded here', async () => {
    const result = {
      result: 'success', grade: 99.5, text: 'é'.repeat(200_000), archive: Buffer.from('tgz').toString('base64'),
      custom: { big: 2n ** 62n, blob: Buffer.from([0, 255, 7]), whole: 3 }, problems: { q1: ['success', 'ok'] },
    };
    const frame = encode({ type: 'result', result });
    const worker = await inWorker(frame);
    const here = readContainerFrame({ jobId: 'job-1', frame, bounds });
    if (worker.kind !== 'result' || !worker.result.accepted || here.kind !== 'result' || !here.result.accepted) {
      throw new Error(`not accepted: ${JSON.stringify(worker)}`);
    }
    expect(Buffer.from(worker.result.jobDone).equals(Buffer.from(here.result.jobDone))).toBe(true);
    expect(worker.result).toMatchObject({ result: 'success', grade: 99.5 });
  });

  it('the captured gen4-hello stream result gives the captured AgentJobDone bytes', async () => {
    const stream = fixtureBytes('container', 'gen4-hello', 'from-container.bin');
    const expected = fixtureBytes('backend', '011-agent-to-backend-AgentJobDone.msgpack');
    // one stdout payload holds the one result frame: Docker's 8-byte header, then the 4-byte length
    const body = stream.subarray(12);
    const { job_id: jobId } = decode(expected) as { job_id: string };
    const owned = new Uint8Array(body);
    const worker = await pool.run<ContainerFrame>(workerFile, { jobId, frame: owned, bounds }, [owned.buffer]);
    if (worker.kind !== 'result' || !worker.result.accepted) throw new Error(JSON.stringify(worker));
    expect(Buffer.from(worker.result.jobDone).equals(expected)).toBe(true);
  });

  it('a map over the entry bound is refused, other messages come back decoded', async () => {
    const custom: Record<string, number> = {};
    for (let i = 0; i < 200_000; i++) custom[i.toString(36)] = 1;
    expect(await inWorker(encode({ type: 'result', result: { custom } }))).toEqual({ kind: 'out-of-bounds', crossed: 'entries' });
    expect(await inWorker(encode({ type: 'run_student', socket_id: 's', n: new Float64(1) }))).toEqual({
      kind: 'message',
      message: { type: 'run_student', socket_id: 's', n: 1 },
    });
    expect(await inWorker(Buffer.from([0xc1]))).toEqual({ kind: 'unreadable' });
  });
});
