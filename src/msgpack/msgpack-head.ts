/** One msgpack value's header, read without building anything (see crossedBound and pickFromMap). */
export interface Head {
  /** where the next value starts (after this value's own payload, for scalars) */
  next: number;
  /** values that follow inside this one: 2 per map entry, 1 per array item, 0 for a scalar */
  items: number;
  container: boolean;
  map: boolean;
}

function scalar(next: number): Head {
  return { next, items: 0, container: false, map: false };
}

function container(next: number, count: number, map: boolean): Head {
  return { next, items: map ? count * 2 : count, container: true, map };
}

/** The value's header at `pos`; undefined when the byte cannot start a value or the header is cut off. */
export function readHead(view: DataView, pos: number): Head | undefined {
  const b = view.getUint8(pos);
  const room = view.byteLength - pos;
  const u8 = () => (room >= 2 ? view.getUint8(pos + 1) : undefined);
  const u16 = () => (room >= 3 ? view.getUint16(pos + 1) : undefined);
  const u32 = () => (room >= 5 ? view.getUint32(pos + 1) : undefined);
  const sized = (size: number | undefined, headerBytes: number) => (size === undefined ? undefined : scalar(pos + headerBytes + size));
  const counted = (count: number | undefined, headerBytes: number, map: boolean) =>
    count === undefined ? undefined : container(pos + headerBytes, count, map);

  if (b <= 0x7f || b >= 0xe0) return scalar(pos + 1);
  if (b <= 0x8f) return container(pos + 1, b & 0x0f, true);
  if (b <= 0x9f) return container(pos + 1, b & 0x0f, false);
  if (b <= 0xbf) return scalar(pos + 1 + (b & 0x1f));
  switch (b) {
    case 0xc0: case 0xc2: case 0xc3: return scalar(pos + 1);
    case 0xc4: case 0xd9: return sized(u8(), 2);
    case 0xc5: case 0xda: return sized(u16(), 3);
    case 0xc6: case 0xdb: return sized(u32(), 5);
    case 0xc7: return sized(u8(), 3);
    case 0xc8: return sized(u16(), 4);
    case 0xc9: return sized(u32(), 6);
    case 0xca: case 0xce: case 0xd2: return scalar(pos + 5);
    case 0xcb: case 0xcf: case 0xd3: return scalar(pos + 9);
    case 0xcc: case 0xd0: return scalar(pos + 2);
    case 0xcd: case 0xd1: return scalar(pos + 3);
    case 0xd4: return scalar(pos + 3);
    case 0xd5: return scalar(pos + 4);
    case 0xd6: return scalar(pos + 6);
    case 0xd7: return scalar(pos + 10);
    case 0xd8: return scalar(pos + 18);
    case 0xdc: return counted(u16(), 3, false);
    case 0xdd: return counted(u32(), 5, false);
    case 0xde: return counted(u16(), 3, true);
    case 0xdf: return counted(u32(), 5, true);
    default: return undefined; // 0xc1 is never used
  }
}
