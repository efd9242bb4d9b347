import { decode } from './msgpack.codec';
import { readHead } from './msgpack-head';

/**
 * The values of a few top-level keys of a msgpack map, decoded; every other value is skipped by its headers, never read
 * — for a program that needs the outcome of a large message, not its bulk. Throws on bytes that are not one map.
 */
export function pickFromMap(bytes: Uint8Array, keys: readonly string[]): Record<string, unknown> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const map = bytes.length > 0 ? readHead(view, 0) : undefined;
  if (!map?.container || !map.map) throw new Error('not a msgpack map');
  const picked: Record<string, unknown> = {};
  let pos = map.next;
  for (let i = 0; i < map.items / 2; i++) {
    const valueStart = skip(view, pos);
    const key = decode(bytes.subarray(pos, valueStart));
    pos = skip(view, valueStart);
    if (typeof key === 'string' && keys.includes(key)) picked[key] = decode(bytes.subarray(valueStart, pos));
  }
  if (pos !== bytes.length) throw new Error('trailing bytes after the map');
  return picked;
}

/** Where the value starting at `pos` ends. */
function skip(view: DataView, pos: number): number {
  for (let values = 1; values > 0; values--) {
    const head = pos < view.byteLength ? readHead(view, pos) : undefined;
    if (!head || head.next > view.byteLength) throw new Error('malformed or truncated msgpack value');
    values += head.items;
    pos = head.next;
  }
  return pos;
}
