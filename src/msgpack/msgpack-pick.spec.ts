import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { msgpackValue } from '../../test/unit/fuzz/fuzz-settings';
import { pickFromMap } from './msgpack-pick';
import { decode, encode, Float64 } from './msgpack.codec';

describe('pickFromMap', () => {
  it('decodes the keys asked for and skips the rest, every msgpack type included', () => {
    const message = {
      s: 'x'.repeat(70_000), n: -5, big: 2n ** 40n, f: new Float64(1), f32: 1.5, b: Buffer.alloc(70_000), nil: null,
      list: [1, 'two', [3], { deep: Array.from({ length: 70_000 }, (_, i) => i) }], map: { a: { b: 'c' } },
      result: ['success', 'well done'], grade: new Float64(100),
    };
    expect(pickFromMap(encode(message), ['result', 'grade', 'missing'])).toEqual({ result: ['success', 'well done'], grade: 100 });
  });

  it('gives what a full decode gives for the same keys, whatever the map holds', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), msgpackValue, { maxKeys: 8 }), fc.array(fc.string(), { maxLength: 3 }), (map, extraKeys) => {
        const bytes = encode(map);
        const keys = [...Object.keys(map).slice(0, 2), ...extraKeys];
        const full = decode(bytes) as Record<string, unknown>;
        const expected = Object.fromEntries(keys.filter((key) => Object.hasOwn(full, key)).map((key) => [key, full[key]]));
        expect(pickFromMap(bytes, keys)).toEqual(expected);
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses what is not one whole map', () => {
    const bytes = encode({ result: ['success', ''], custom: { a: 'x'.repeat(100) } });
    expect(() => pickFromMap(encode(['a']), ['a'])).toThrow('not a msgpack map');
    expect(() => pickFromMap(new Uint8Array(), ['a'])).toThrow('not a msgpack map');
    expect(() => pickFromMap(bytes.subarray(0, bytes.length - 1), ['result'])).toThrow('truncated');
    expect(() => pickFromMap(Buffer.concat([bytes, Buffer.from([1])]), ['result'])).toThrow('trailing bytes');
  });
});
