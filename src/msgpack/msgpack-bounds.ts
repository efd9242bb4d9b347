import { readHead } from './msgpack-head';

/** How much structure one msgpack value from a container may hold. */
export interface MsgpackBounds {
  /** map entries plus array items, all levels together */
  maxEntries: number;
  /** maps and arrays nested in one another; the top-level map is depth 1 */
  maxDepth: number;
}

/** Which bound a value crossed. */
export type BoundCrossed = 'entries' | 'depth';

/**
 * Walks the msgpack bytes once, without building anything, and says which bound the value crosses (undefined when
 * none). Linear in the input, no recursion, and a container header announcing millions of entries is refused at the
 * header. Malformed or truncated bytes end the walk with undefined: the decoder that runs next refuses them.
 */
export function crossedBound(bytes: Uint8Array, bounds: MsgpackBounds): BoundCrossed | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pending: number[] = [1];
  let entries = 0;
  let pos = 0;
  while (pending.length > 0) {
    if (pending[pending.length - 1] === 0) {
      pending.pop();
      continue;
    }
    pending[pending.length - 1]--;
    if (pos >= bytes.length) return undefined;
    const head = readHead(view, pos);
    if (head === undefined) return undefined;
    pos = head.next;
    if (head.container) {
      entries += head.map ? head.items / 2 : head.items;
      if (entries > bounds.maxEntries) return 'entries';
      if (pending.length > bounds.maxDepth) return 'depth';
      pending.push(head.items);
    }
  }
  return undefined;
}
