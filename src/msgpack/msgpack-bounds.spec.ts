import { describe, expect, it } from 'vitest';
import { crossedBound } from './msgpack-bounds';
import { encode, Float64 } from './msgpack.codec';

const bounds = { maxEntries: 10, maxDepth: 3 };

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { k: value };
  return value;
}

describe('crossedBound', () => {
  it('accepts values within the bounds, every msgpack type included', () => {
    const value = {
      s: 'x'.repeat(300), n: -5, big: 2n ** 40n, f: new Float64(1), f32: 1.5, b: Buffer.alloc(70000), nil: null, t: true,
      list: [1, 'two', [3]],
    };
    expect(crossedBound(encode(value), { maxEntries: 20, maxDepth: 3 })).toBeUndefined();
  });

  it('counts map entries and array items at every level', () => {
    expect(crossedBound(encode({ a: [1, 2, 3, 4, 5], b: { c: 1, d: 2 } }), bounds)).toBe(undefined); // 2 + 5 + 2 = 9
    expect(crossedBound(encode({ a: [1, 2, 3, 4, 5, 6, 7], b: { c: 1, d: 2 } }), bounds)).toBe('entries');
  });

  it('counts nesting depth, empty containers included', () => {
    expect(crossedBound(encode(nested(3)), bounds)).toBeUndefined();
    expect(crossedBound(encode(nested(4)), bounds)).toBe('depth');
    expect(crossedBound(encode({ a: { b: { c: [] } } }), bounds)).toBe('depth');
  });

  it('refuses a header announcing millions of entries without reading them', () => {
    const header = Buffer.from([0xdf, 0x7f, 0xff, 0xff, 0xff]);
    expect(crossedBound(header, bounds)).toBe('entries');
  });

  it('leaves malformed and truncated input to the decoder', () => {
    expect(crossedBound(Buffer.from([0xc1]), bounds)).toBeUndefined();
    expect(crossedBound(Buffer.from([0x82, 0xa1]), bounds)).toBeUndefined();
    expect(crossedBound(Buffer.from([0xdd, 0x00]), bounds)).toBeUndefined();
  });

  it('walks a map of 300 000 entries and stops at the bound', () => {
    const custom: Record<string, number> = {};
    for (let i = 0; i < 300_000; i++) custom[`k${i}`] = i;
    const bytes = encode({ type: 'result', result: { custom } });
    expect(crossedBound(bytes, { maxEntries: 400_000, maxDepth: 8 })).toBeUndefined();
    expect(crossedBound(bytes, { maxEntries: 299_999, maxDepth: 8 })).toBe('entries');
  });
});
