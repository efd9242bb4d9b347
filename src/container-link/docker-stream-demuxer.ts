import { FillingBuffer } from './filling-buffer';

export class DockerStreamError extends Error {}

const HEADER = 8;
const STDOUT = 1;
const STDERR = 2;

/**
 * Splits Docker's multiplexed attach stream (no TTY): 8-byte header [stream, 0, 0, 0, length u32 BE] then the payload.
 * Payloads may be cut anywhere by the transport; they are handed over in order, piece by piece as they arrive (a
 * large payload is never gathered here: its reader gathers it once).
 */
export class DockerStreamDemuxer {
  private readonly header = new FillingBuffer(Buffer.alloc(HEADER));
  private stream = STDOUT;
  /** payload bytes of the current Docker frame still to come */
  private remaining = 0;

  constructor(
    private readonly onStdout: (piece: Buffer) => void,
    private readonly onStderr: (piece: Buffer) => void,
  ) {}

  /** Throws DockerStreamError on a header that is not Docker's. */
  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.remaining === 0) {
        pos += this.header.fillFrom(chunk, pos);
        if (!this.header.full) return;
        this.readHeader(this.header.target);
        this.header.reset();
        continue;
      }
      const n = Math.min(this.remaining, chunk.length - pos);
      const piece = chunk.subarray(pos, pos + n);
      pos += n;
      this.remaining -= n;
      if (this.stream === STDERR) this.onStderr(piece);
      else this.onStdout(piece);
    }
  }

  private readHeader(header: Buffer): void {
    const stream = header[0];
    if ((stream !== STDOUT && stream !== STDERR) || header[1] || header[2] || header[3]) {
      throw new DockerStreamError(`not a Docker stream header: ${header.toString('hex')}`);
    }
    const length = header.readUInt32BE(4);
    if (length === 0) throw new DockerStreamError('Docker stream header announces an empty payload');
    this.stream = stream;
    this.remaining = length;
  }
}
