/** Bytes received in chunks, consumed from the front without re-copying everything on every chunk. */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private total = 0;

  get length(): number {
    return this.total;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** The first `n` bytes without consuming them (n ≤ length). */
  peek(n: number): Buffer {
    this.coalesce(n);
    return this.chunks[0].subarray(0, n);
  }

  /** Removes and returns the first `n` bytes (n ≤ length). */
  take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    this.coalesce(n);
    const head = this.chunks[0];
    const out = head.subarray(0, n);
    if (head.length === n) this.chunks.shift();
    else this.chunks[0] = head.subarray(n);
    this.total -= n;
    return out;
  }

  /** Makes the first chunk hold at least n bytes. */
  private coalesce(n: number): void {
    if (this.chunks[0].length >= n) return;
    let size = 0;
    let count = 0;
    while (size < n) size += this.chunks[count++].length;
    this.chunks.splice(0, count, Buffer.concat(this.chunks.slice(0, count), size));
  }
}
