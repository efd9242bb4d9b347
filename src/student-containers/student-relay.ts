import { ContainerLink } from '../container-link/container-link';
import { decodeMessage, SMALL_FRAME_BYTES } from '../container-link/frame-codec';
import type { AttachStream } from '../docker/docker.types';

export interface StudentRelayHandlers {
  /** A frame the student container wrote: its raw body, and the message when it is a map with a `type`. */
  onFrame(raw: Buffer, message: Record<string, unknown> | undefined): void;
  onStderr(text: string): void;
  onProtocolError(error: Error): void;
}

/**
 * Generation 3 on a runtime that does not share the host kernel: the grading and student containers cannot share a
 * unix socket, so the agent carries their conversation over the student container's attach stream (wire.md §3).
 */
export class StudentRelay {
  private readonly link: ContainerLink<Record<string, unknown> | undefined>;
  /** resolves when the student container's output has ended (every frame delivered) */
  readonly ended: Promise<void>;

  constructor(stream: AttachStream, maxFrameBytes: number, handlers: StudentRelayHandlers) {
    let markEnded!: () => void;
    this.ended = new Promise((resolve) => (markEnded = resolve));
    this.link = new ContainerLink(stream, maxFrameBytes, { ...handlers, onEnd: markEnded }, { read: readSmallFrame });
  }

  send(message: Record<string, unknown>): void {
    this.link.send(message);
  }

  close(): void {
    this.link.close();
  }
}

/** The only frame the agent reads itself (`ssh_student`) is small: larger ones are relayed without being decoded. */
function readSmallFrame(raw: Buffer): Record<string, unknown> | undefined {
  return raw.length <= SMALL_FRAME_BYTES ? decodeMessage(raw) : undefined;
}

/** A frame body with its length prefix again, to be written on as it came. */
export function reframe(body: Buffer): Buffer {
  const prefix = Buffer.allocUnsafe(4);
  prefix.writeUInt32BE(body.length);
  return Buffer.concat([prefix, body]);
}
