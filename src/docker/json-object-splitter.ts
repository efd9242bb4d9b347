import { StringDecoder } from 'node:string_decoder';

/**
 * Cuts a byte stream of concatenated JSON objects (Docker's event stream: one object per line, but a chunk may hold
 * part of one, or several) into the text of each complete top-level object. Works on the text structure only
 * (braces outside strings), so it needs neither newlines nor chunk boundaries to line up with objects.
 */
export class JsonObjectSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** offset in `pending` where the object being scanned starts */
  private objectStart = -1;
  /** offset in `pending` up to which characters were already scanned */
  private scanned = 0;

  /** Adds a chunk and returns the objects it completed, in order. */
  push(chunk: Buffer | string): string[] {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const objects: string[] = [];
    for (let i = this.scanned; i < this.pending.length; i++) {
      const c = this.pending[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
      } else if (c === '"' && this.depth > 0) {
        this.inString = true;
      } else if (c === '{') {
        if (this.depth === 0) this.objectStart = i;
        this.depth++;
      } else if (c === '}' && this.depth > 0) {
        this.depth--;
        if (this.depth === 0) objects.push(this.pending.slice(this.objectStart, i + 1));
      }
    }
    this.compact();
    return objects;
  }

  private compact(): void {
    if (this.depth === 0) {
      this.pending = '';
      this.scanned = 0;
      this.objectStart = -1;
    } else {
      this.pending = this.pending.slice(this.objectStart);
      this.scanned = this.pending.length;
      this.objectStart = 0;
    }
  }
}
