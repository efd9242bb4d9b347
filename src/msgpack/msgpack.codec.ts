import { addExtension, Packr, Unpackr } from 'msgpackr';

/**
 * A number that must go on the wire as msgpack float64 even when whole (INGInious sends `grade` as float64:
 * `100.0`, never the int `100`). JS numbers carry no int/float distinction, so whole values need this marker.
 */
export class Float64 {
  constructor(readonly value: number) {}
}

type Allocate = (size: number) => { targetView: DataView; position: number };

// msgpackr's typings omit pack()'s second argument (a writer into the output buffer), which this relies on.
addExtension({
  Class: Float64,
  type: 0x7f, // never written: pack() below emits a plain float64 and returns nothing
  pack: ((instance: Float64, allocate: Allocate) => {
    const { targetView, position } = allocate(9);
    targetView.setUint8(position, 0xcb);
    targetView.setFloat64(position + 1, instance.value);
    return undefined;
  }) as unknown as (value: Float64) => Buffer,
  unpack: () => {
    throw new Error('Float64 is encode-only');
  },
});

// What Python's msgpack (use_bin_type=True, raw=False) writes and reads: plain maps, str as str, bytes as bin, nil for
// absent values; no records/structures extension, no JS Map on decode, 64-bit ints as bigint (so they go back out as ints, not floats).
const packr = new Packr({ useRecords: false, encodeUndefinedAsNil: true, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'bigint' });

export function encode(value: unknown): Buffer {
  return packr.pack(value);
}

/** Decodes exactly one msgpack value; throws on malformed or trailing bytes. */
export function decode(bytes: Uint8Array): unknown {
  const values = unpackr.unpackMultiple(bytes as Buffer) as unknown[];
  if (values.length !== 1) throw new Error(`expected one msgpack value, found ${values.length}`);
  return values[0];
}

export function isPlainMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}
