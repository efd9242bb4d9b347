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

  /**
   * Never rejects: a worker that fails reads as an unreadable frame. A large frame sits in shared memory (see
   * FrameDecoder): the worker reads it there, nothing is copied.
   */
  async read(jobId: string, raw: Buffer): Promise<ContainerFrame> {
    const task: ContainerFrameTask = { jobId, frame: raw, bounds: { maxEntries: this.config.maxFrameEntries, maxDepth: this.config.maxFrameDepth } };
    if (raw.length <= SMALL_FRAME_BYTES) return readContainerFrame(task);
    return this.pool.run<ContainerFrame>(WORKER_FILE, task).catch(() => ({ kind: 'unreadable' }));
  }
}
