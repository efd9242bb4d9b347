import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { AgentConfig } from '../config/agent-config';
import { SMALL_FRAME_BYTES } from '../container-link/frame-codec';
import { WorkerPool } from '../worker-pool/worker-pool';
import { type ContainerFrame, type ContainerFrameTask, readContainerFrame } from './container-frame';

const WORKER_FILE = join(__dirname, 'container-frame.worker.js');

/** Reads the frames of grading containers; the large ones in a worker thread, so no frame can delay a Pong. */
@Injectable()
export class ContainerFrames {
  constructor(
    private readonly config: AgentConfig,
    private readonly pool: WorkerPool,
  ) {}

  /** Never rejects: a worker that fails reads as an unreadable frame. A large `raw` is handed over: unusable afterwards. */
  async read(jobId: string, raw: Buffer): Promise<ContainerFrame> {
    const bounds = { maxEntries: this.config.maxFrameEntries, maxDepth: this.config.maxFrameDepth };
    if (raw.length <= SMALL_FRAME_BYTES) return readContainerFrame({ jobId, frame: raw, bounds });
    const frame = ownedCopy(raw);
    const task: ContainerFrameTask = { jobId, frame, bounds };
    return this.pool.run<ContainerFrame>(WORKER_FILE, task, [frame.buffer as ArrayBuffer]).catch(() => ({ kind: 'unreadable' }));
  }
}

/** The frame in a buffer of its own, so that handing it to the worker detaches nothing else. */
function ownedCopy(raw: Buffer): Uint8Array {
  const whole = raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength;
  return whole ? new Uint8Array(raw.buffer, 0, raw.byteLength) : new Uint8Array(raw);
}
