import type { AttachStream } from '../docker/docker.types';
import { DockerStreamDemuxer } from './docker-stream-demuxer';
import { decodeMessage, encodeFrame, FrameDecoder } from './frame-codec';

export interface ContainerLinkHandlers {
  /** A frame from the container: its raw body, and the message when it is a map with a string `type`. */
  onFrame(raw: Buffer, message: Record<string, unknown> | undefined): void;
  onStderr(text: string): void;
  /** The stream broke the protocol (not Docker frames, or a frame over the size cap); nothing more is read. */
  onProtocolError(error: Error): void;
  /** The container's stdout ended (after the last frame was delivered). */
  onEnd(): void;
}

/** The framed msgpack conversation with one container over its attach stream (wire.md §3). */
export class ContainerLink {
  private broken = false;
  private ended = false;

  constructor(
    private readonly stream: AttachStream,
    maxFrameBytes: number,
    private readonly handlers: ContainerLinkHandlers,
  ) {
    const frames = new FrameDecoder(maxFrameBytes, (raw) => handlers.onFrame(raw, decodeMessage(raw)));
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

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.handlers.onEnd();
  }
}
