import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { AgentConfig } from '../config/agent-config';
import type { FrameReading } from '../container-link/container-link';
import { capacityFor, FrameBuffers } from '../container-link/frame-buffers';
import { SMALL_FRAME_BYTES } from '../container-link/frame-codec';
import { WorkerPool } from '../worker-pool/worker-pool';
import { type ContainerFrame, type ContainerFrameTask, readContainerFrame } from './container-frame';

const WORKER_FILE = join(__dirname, 'container-frame.worker.js');

/**
 * What a frame's memory may go back for: nothing read from it refers to it (an AgentJobDone is encoded into memory of
 * its own). A `message` may hold binary values that are views of the frame, and an `unreadable` one may come from a
 * worker that failed: their memory is left to the garbage collector.
 */
const NOTHING_REFERS_TO_THE_FRAME = new Set<ContainerFrame['kind']>(['result', 'out-of-bounds', 'late']);

/** Reads the frames of grading containers; the large ones in a worker thread, so no frame can delay a Pong. */
@Injectable()
export class ContainerFrames {
  /** two frames of the largest size wait for the next ones */
  private readonly buffers: FrameBuffers;

  constructor(
    private readonly config: AgentConfig,
    private readonly pool: WorkerPool,
  ) {
    this.buffers = new FrameBuffers(2 * capacityFor(config.maxFrameBytes));
  }

  /**
   * How the frames of one job's grading container are read: not at all once its AgentJobDone went (`late`): those
   * that start after are not even gathered.
   */
  reading(jobId: string, late: () => boolean): FrameReading<ContainerFrame> {
    return {
      read: (raw) => (late() ? { kind: 'late' } : this.read(jobId, raw)),
      skip: late,
      allocate: (length) => this.buffers.take(length),
      release: (raw, frame) => {
        if (NOTHING_REFERS_TO_THE_FRAME.has(frame.kind)) this.buffers.give(raw);
      },
    };
  }

  /**
   * Never rejects: a worker that fails reads as an unreadable frame. A large frame sits in shared memory (see
   * FrameDecoder): the worker reads it there, nothing is copied.
   */
  private async read(jobId: string, raw: Buffer): Promise<ContainerFrame> {
    const task: ContainerFrameTask = { jobId, frame: raw, bounds: { maxEntries: this.config.maxFrameEntries, maxDepth: this.config.maxFrameDepth } };
    if (raw.length <= SMALL_FRAME_BYTES) return readContainerFrame(task);
    return this.pool.run<ContainerFrame>(WORKER_FILE, task).catch(() => ({ kind: 'unreadable' }));
  }
}
