/**
 * A buffer of known size filled from stream chunks as they come: each chunk is copied once, in pieces no larger than
 * itself, so a large frame never costs one long copy (nor keeps every chunk alive) on the event loop.
 */
export class FillingBuffer {
  private filled = 0;

  constructor(readonly target: Buffer) {}

  /** Copies what still fits from `chunk[from..]`; returns how many bytes it took. */
  fillFrom(chunk: Buffer, from: number): number {
    const n = Math.min(this.target.length - this.filled, chunk.length - from);
    chunk.copy(this.target, this.filled, from, from + n);
    this.filled += n;
    return n;
  }

  get full(): boolean {
    return this.filled === this.target.length;
  }

  get filledBytes(): number {
    return this.filled;
  }

  reset(): void {
    this.filled = 0;
  }
}
