import { describe, expect, it } from 'vitest';
import type { AgentConfig } from '../config/agent-config';
import type { WorkerPool } from '../worker-pool/worker-pool';
import { encode } from '../msgpack/msgpack.codec';
import { type ContainerFrame, readContainerFrame } from './container-frame';
import { ContainerFrames } from './container-frames';

const LARGE = 100_000;

/** A worker pool whose reads all turn out as `frame`. */
function framesReadAs(frame: ContainerFrame): ContainerFrames {
  const pool = { run: async () => frame } as unknown as WorkerPool;
  return new ContainerFrames({ maxFrameBytes: 1 << 20, maxFrameEntries: 1000, maxFrameDepth: 8 } as AgentConfig, pool);
}

async function memoryTakenAgain(frame: ContainerFrame, late = false): Promise<boolean> {
  const reading = framesReadAs(frame).reading('job', () => late);
  const raw = reading.allocate!(LARGE);
  reading.release!(raw, await reading.read(raw));
  return reading.allocate!(LARGE).buffer === raw.buffer;
}

describe('ContainerFrames.reading', () => {
  it.each<[string, ContainerFrame]>([
    ['a result (an accepted one has its AgentJobDone encoded into memory of its own)', { kind: 'result', result: { accepted: false, rejected: 'bad grade' } }],
    ['a frame out of bounds', { kind: 'out-of-bounds', crossed: 'entries' }],
  ])('gives the memory of %s to the next large frame', async (_what, frame) => {
    expect(await memoryTakenAgain(frame)).toBe(true);
  });

  it('gives back the memory of a frame not read because the job is done', async () => {
    expect(await memoryTakenAgain({ kind: 'message', message: { type: 'x' } }, true)).toBe(true);
  });

  it.each<[string, ContainerFrame]>([
    ['a message (its binary values may be views of the frame)', { kind: 'message', message: { type: 'run_student', data: Buffer.alloc(1) } }],
    ['an unreadable frame (perhaps from a worker that failed)', { kind: 'unreadable' }],
  ])('leaves the memory of %s alone', async (_what, frame) => {
    expect(await memoryTakenAgain(frame)).toBe(false);
  });
});

describe('readContainerFrame', () => {
  it('encodes an accepted AgentJobDone into memory of its own, never a view of the frame (whose memory is used again)', () => {
    const body = encode({ type: 'result', result: { result: 'success', text: 'ok', archive: Buffer.alloc(50_000, 1).toString('base64'), grade: 100 } });
    const raw = Buffer.from(new SharedArrayBuffer(body.length));
    body.copy(raw);
    const frame = readContainerFrame({ jobId: 'job', frame: raw, bounds: { maxEntries: 1000, maxDepth: 8 } });
    if (frame.kind !== 'result' || !frame.result.accepted) throw new Error(`expected an accepted result, got ${JSON.stringify(frame)}`);
    expect(frame.result.jobDone.buffer).not.toBe(raw.buffer);
    raw.fill(0);
    expect(Buffer.from(frame.result.jobDone).includes(Buffer.alloc(50_000, 1))).toBe(true); // the archive, decoded, is still there
  });
});

