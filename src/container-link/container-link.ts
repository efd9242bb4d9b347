import type { AttachStream } from '../docker/docker.types';
import { DockerStreamDemuxer } from './docker-stream-demuxer';
import { encodeFrame, FrameDecoder, type FrameGathering, SMALL_FRAME_BYTES } from './frame-codec';

export interface ContainerLinkHandlers<F> {
  /** A frame from the container: its raw body, and what `read` made of it. Frames arrive in the order they were sent. */
  onFrame(raw: Buffer, frame: F): void;
  onStderr(text: string): void;
  /** The stream broke the protocol (not Docker frames, or a frame over the size cap); nothing more is read. */
  onProtocolError(error: Error): void;
  /** The container's stdout ended (after the last frame was delivered). */
  onEnd(): void;
}

/** How a link's frames are gathered (memory, and whether they are still wanted) and read. */
export interface FrameReading<F> extends FrameGathering {
  /** Makes sense of one frame body; may take its time (a worker thread) but must not reject. */
  read(raw: Buffer): F | Promise<F>;
  /** Called once the frame was delivered: the reader may take its memory back when nothing refers to it any more. */
  release?(raw: Buffer, frame: F): void;
}

/** The framed msgpack conversation with one container over its attach stream (wire.md §3). */
export class ContainerLink<F> {
  private broken = false;
  private ended = false;
  /** every frame's reading and delivery, then the end, in stream order, however long each frame takes to read */
  private delivered: Promise<void> = Promise.resolve();
  /** bytes of the frames gathered and not yet delivered */
  private waitingBytes = 0;

  constructor(
    private readonly stream: AttachStream,
    maxFrameBytes: number,
    private readonly handlers: ContainerLinkHandlers<F>,
    private readonly reading: FrameReading<F>,
  ) {
    const frames = new FrameDecoder(maxFrameBytes, (raw) => this.deliver(raw), {
      allocate: reading.allocate?.bind(reading),
      skip: reading.skip?.bind(reading),
    });
    const demuxer = new DockerStreamDemuxer(
      (payload) => frames.push(payload),
      (payload) => handlers.onStderr(payload.toString('utf8')),
    );
    stream.on('data', (chunk: Buffer) => {
      if (this.broken) return;
      try {
        demuxer.push(chunk);
      } catch (error) {
        this.broken = true;
        handlers.onProtocolError(error as Error);
      }
    });
    stream.on('end', () => this.finish());
    stream.on('close', () => this.finish());
    stream.on('error', () => this.finish());
  }

  send(message: Record<string, unknown>): void {
    this.sendRaw(encodeFrame(message));
  }

  /** Writes bytes that are already framed (generation-3 relay of a student container's output). */
  sendRaw(frame: Buffer): void {
    if (!this.stream.writable || this.stream.destroyed) return;
    this.stream.write(frame);
  }

  close(): void {
    this.stream.destroy();
  }

  /**
   * One frame read at a time, after the previous one was handled: one container never takes more than one worker
   * thread, and a frame the job no longer needs (after its result) can be skipped by the reader. While a large frame
   * waits, the stream is paused (the container's writes wait): a container cannot make the agent gather frame after
   * frame faster than they are read. Once frames are no longer wanted, a paused stream stays so: what a container
   * still writes after its result is neither gathered nor carried by Docker, until it exits or is stopped.
   */
  private deliver(raw: Buffer): void {
    this.waitingBytes += raw.length;
    if (this.waitingBytes > SMALL_FRAME_BYTES) this.stream.pause();
    this.after(async () => {
      try {
        const frame = await this.reading.read(raw);
        this.handlers.onFrame(raw, frame);
        this.reading.release?.(raw, frame);
      } finally {
        this.waitingBytes -= raw.length;
        if (this.waitingBytes <= SMALL_FRAME_BYTES && this.stream.isPaused() && !this.reading.skip?.()) this.stream.resume();
      }
    });
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.after(() => this.handlers.onEnd());
  }

  private after(step: () => void | Promise<void>): void {
    this.delivered = this.delivered.then(step).catch((error: unknown) => this.handlers.onProtocolError(error as Error));
  }
}
