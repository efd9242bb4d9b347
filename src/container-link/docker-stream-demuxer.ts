import { ByteQueue } from './byte-queue';

export class DockerStreamError extends Error {}

const HEADER = 8;
const STDOUT = 1;
const STDERR = 2;

/**
 * Splits Docker's multiplexed attach stream (no TTY): 8-byte header [stream, 0, 0, 0, length u32 BE] then the payload.
 * Payloads may be cut anywhere by the transport; stdout and stderr payloads are handed over in order.
 */
export class DockerStreamDemuxer {
  private readonly pending = new ByteQueue();

  constructor(
    private readonly onStdout: (payload: Buffer) => void,
    private readonly onStderr: (payload: Buffer) => void,
  ) {}

  /** Throws DockerStreamError on a header that is not Docker's. */
  push(chunk: Buffer): void {
    this.pending.push(chunk);
    while (this.pending.length >= HEADER) {
      const header = this.pending.peek(HEADER);
      const stream = header[0];
      const length = header.readUInt32BE(4);
      if ((stream !== STDOUT && stream !== STDERR) || header[1] || header[2] || header[3]) {
        throw new DockerStreamError(`not a Docker stream header: ${header.toString('hex')}`);
      }
      if (length === 0) throw new DockerStreamError('Docker stream header announces an empty payload');
      if (this.pending.length < HEADER + length) return;
      this.pending.take(HEADER);
      const payload = this.pending.take(length);
      if (stream === STDERR) this.onStderr(payload);
      else this.onStdout(payload);
    }
  }
}
