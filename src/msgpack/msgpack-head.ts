/** One msgpack value's header, read without building anything (see crossedBound and pickFromMap). */
export interface Head {
  /** where the next value starts (after this value's own payload, for scalars) */
  next: number;
  /** values that follow inside this one: 2 per map entry, 1 per array item, 0 for a scalar */
  items: number;
  container: boolean;
  map: boolean;
}

/** What follows a type byte from 0xc0 to 0xdf: a payload of fixed size, of a stated size, or a counted container. */
interface Shape {
  kind: 'fixed' | 'sized' | 'array' | 'map';
  /** bytes of the big-endian length or count after the type byte (0 for a fixed payload) */
  lengthBytes: 0 | 1 | 2 | 4;
  /** bytes from the type byte to the payload (for a fixed one: to the next value) */
  headerBytes: number;
}

const fixed = (size: number): Shape => ({ kind: 'fixed', lengthBytes: 0, headerBytes: size });
const sized = (lengthBytes: 1 | 2 | 4, headerBytes: number): Shape => ({ kind: 'sized', lengthBytes, headerBytes });
const counted = (kind: 'array' | 'map', lengthBytes: 2 | 4): Shape => ({ kind, lengthBytes, headerBytes: 1 + lengthBytes });

/** Indexed by type byte − 0xc0; 0xc1 is never used. A table, not a function per read: the walks call this per value. */
const SHAPES: ReadonlyArray<Shape | undefined> = [
  fixed(1), undefined, fixed(1), fixed(1), // nil, (never used), false, true
  sized(1, 2), sized(2, 3), sized(4, 5), // bin 8/16/32
  sized(1, 3), sized(2, 4), sized(4, 6), // ext 8/16/32 (the length, then the ext type byte)
  fixed(5), fixed(9), // float 32/64
  fixed(2), fixed(3), fixed(5), fixed(9), // uint 8/16/32/64
  fixed(2), fixed(3), fixed(5), fixed(9), // int 8/16/32/64
  fixed(3), fixed(4), fixed(6), fixed(10), fixed(18), // fixext 1/2/4/8/16
  sized(1, 2), sized(2, 3), sized(4, 5), // str 8/16/32
  counted('array', 2), counted('array', 4),
  counted('map', 2), counted('map', 4),
];

function scalar(next: number): Head {
  return { next, items: 0, container: false, map: false };
}

function container(next: number, count: number, map: boolean): Head {
  return { next, items: map ? count * 2 : count, container: true, map };
}

function readLength(view: DataView, at: number, bytes: 1 | 2 | 4): number {
  if (bytes === 1) return view.getUint8(at);
  return bytes === 2 ? view.getUint16(at) : view.getUint32(at);
}

/** The value's header at `pos`; undefined when the byte cannot start a value or the header is cut off. */
export function readHead(view: DataView, pos: number): Head | undefined {
  const b = view.getUint8(pos);
  if (b <= 0x7f || b >= 0xe0) return scalar(pos + 1);
  if (b <= 0x8f) return container(pos + 1, b & 0x0f, true);
  if (b <= 0x9f) return container(pos + 1, b & 0x0f, false);
  if (b <= 0xbf) return scalar(pos + 1 + (b & 0x1f));
  const shape = SHAPES[b - 0xc0];
  if (shape === undefined) return undefined;
  if (shape.lengthBytes === 0) return scalar(pos + shape.headerBytes);
  if (view.byteLength - pos <= shape.lengthBytes) return undefined;
  const length = readLength(view, pos + 1, shape.lengthBytes);
  if (shape.kind === 'sized') return scalar(pos + shape.headerBytes + length);
  return container(pos + shape.headerBytes, length, shape.kind === 'map');
}
