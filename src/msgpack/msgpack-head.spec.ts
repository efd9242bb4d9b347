import { describe, expect, it } from 'vitest';
import { readHead } from './msgpack-head';

const view = (bytes: number[]) => new DataView(Uint8Array.from(bytes).buffer);
const be = (value: number, bytes: number) => Array.from({ length: bytes }, (_, i) => (value >>> (8 * (bytes - 1 - i))) & 0xff);
const payload = (length: number) => Array.from({ length }, () => 0x61);

/** One value per header form of the msgpack spec, written out byte by byte: [name, bytes of the whole value]. */
const SCALARS: Array<[string, number[]]> = [
  ['positive fixint', [0x05]], ['negative fixint', [0xff]], ['fixstr', [0xa3, ...payload(3)]],
  ['nil', [0xc0]], ['false', [0xc2]], ['true', [0xc3]],
  ['bin 8', [0xc4, 3, ...payload(3)]], ['bin 16', [0xc5, ...be(300, 2), ...payload(300)]], ['bin 32', [0xc6, ...be(70_000, 4), ...payload(70_000)]],
  ['ext 8', [0xc7, 3, 0x01, ...payload(3)]], ['ext 16', [0xc8, ...be(300, 2), 0x01, ...payload(300)]], ['ext 32', [0xc9, ...be(5, 4), 0x01, ...payload(5)]],
  ['float 32', [0xca, ...payload(4)]], ['float 64', [0xcb, ...payload(8)]],
  ['uint 8', [0xcc, 1]], ['uint 16', [0xcd, ...payload(2)]], ['uint 32', [0xce, ...payload(4)]], ['uint 64', [0xcf, ...payload(8)]],
  ['int 8', [0xd0, 1]], ['int 16', [0xd1, ...payload(2)]], ['int 32', [0xd2, ...payload(4)]], ['int 64', [0xd3, ...payload(8)]],
  ['fixext 1', [0xd4, 0x01, ...payload(1)]], ['fixext 2', [0xd5, 0x01, ...payload(2)]], ['fixext 4', [0xd6, 0x01, ...payload(4)]],
  ['fixext 8', [0xd7, 0x01, ...payload(8)]], ['fixext 16', [0xd8, 0x01, ...payload(16)]],
  ['str 8', [0xd9, 3, ...payload(3)]], ['str 16', [0xda, ...be(300, 2), ...payload(300)]], ['str 32', [0xdb, ...be(5, 4), ...payload(5)]],
];

/** [name, header bytes, values inside, is a map] */
const CONTAINERS: Array<[string, number[], number, boolean]> = [
  ['fixmap', [0x83], 6, true], ['fixarray', [0x93], 3, false],
  ['array 16', [0xdc, ...be(300, 2)], 300, false], ['array 32', [0xdd, ...be(70_000, 4)], 70_000, false],
  ['map 16', [0xde, ...be(300, 2)], 600, true], ['map 32', [0xdf, ...be(70_000, 4)], 140_000, true],
];

describe('readHead', () => {
  it.each(SCALARS)('finds where a %s ends', (_name, bytes) => {
    expect(readHead(view([...bytes, 0xc0]), 0)).toEqual({ next: bytes.length, items: 0, container: false, map: false });
  });

  it.each(CONTAINERS)('reads the count of a %s', (_name, header, items, map) => {
    expect(readHead(view([...header, 0xc0]), 0)).toEqual({ next: header.length, items, container: true, map });
  });

  it('reads a header that starts inside the bytes', () => {
    expect(readHead(view([0xc0, 0xc0, 0xd9, 2, 0x61, 0x61]), 2)).toEqual({ next: 6, items: 0, container: false, map: false });
  });

  it.each([
    ['bin 8', [0xc4]], ['str 16', [0xda, 0x01]], ['ext 32', [0xc9, 0, 0, 0]], ['array 16', [0xdc, 0x00]], ['map 32', [0xdf, 0, 0]],
  ])('says a %s header cut short is no value', (_name, bytes) => {
    expect(readHead(view(bytes), 0)).toBeUndefined();
  });

  it('says 0xc1, which the spec never uses, starts no value', () => {
    expect(readHead(view([0xc1, 0xc0]), 0)).toBeUndefined();
  });
});
