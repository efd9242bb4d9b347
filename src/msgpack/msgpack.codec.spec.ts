import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, fixtureBytes, fixtureJson } from '../../test/support/fixtures';
import { pythonCheck, pythonPack, pythonRepack } from '../../test/support/python';
import { decode, encode, Float64 } from './msgpack.codec';

interface FixtureEntry {
  file: string;
  wire_formats: WireFormat;
}
type WireFormat = string | WireFormat[] | { [key: string]: WireFormat };

const backendFixtures = readdirSync(join(FIXTURES, 'backend')).filter((f) => f.endsWith('.msgpack'));
const wireFormats = new Map(
  fixtureJson<{ messages: FixtureEntry[] }>('backend', 'index.json').messages.map((m) => [m.file, m.wire_formats]),
);

/** What an encoder must be told: the numbers the wire carries as float64 (JS cannot tell 100.0 from 100). */
function markFloat64(value: unknown, format: WireFormat | undefined): unknown {
  if (format === 'float64' && typeof value === 'number') return new Float64(value);
  if (Array.isArray(value) && Array.isArray(format)) return value.map((item, i) => markFloat64(item, format[i + 1]));
  if (value && typeof value === 'object' && !(value instanceof Uint8Array) && format && typeof format === 'object') {
    const formats = format as Record<string, WireFormat>;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, markFloat64(v, formats[k])]));
  }
  return value;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function countFloat64(format: WireFormat): number {
  if (format === 'float64') return 1;
  if (typeof format === 'string') return 0;
  return Object.values(format).reduce<number>((n, f) => n + countFloat64(f), 0);
}

describe('msgpack codec against the golden backend captures', () => {
  it('has all the captured frames to check', () => {
    expect(backendFixtures.length).toBe(27);
  });

  it.each(backendFixtures)('%s decodes and re-encodes byte for byte', (file) => {
    const bytes = fixtureBytes('backend', file);
    const decoded = decode(bytes);
    expect(hex(encode(markFloat64(decoded, wireFormats.get(file))))).toBe(hex(bytes));
  });

  it('needs Float64 only for whole float64 values (every grade), nothing else', () => {
    const needing = backendFixtures.filter((file) => !encode(decode(fixtureBytes('backend', file))).equals(fixtureBytes('backend', file)));
    expect(needing.length).toBeGreaterThan(0);
    for (const file of needing) expect(countFloat64(wireFormats.get(file)!), file).toBeGreaterThan(0);
    expect(needing.every((file) => file.includes('AgentJobDone'))).toBe(true);
  });

  it('keeps the 300-byte upload as bin (bin16) through decode and encode', () => {
    const bytes = fixtureBytes('backend', '007-backend-to-agent-BackendNewJob.msgpack');
    const job = decode(bytes) as { inputdata: { upload: { filename: string; value: Uint8Array } } };
    const expected = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from('00ff7f80'.repeat(11), 'hex')]);
    expect(job.inputdata.upload.value).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(job.inputdata.upload.value)).toEqual(expected);
    expect(encode(job).includes(Buffer.concat([Buffer.from([0xc5, 0x01, 0x2c]), expected]))).toBe(true);
  });
});

describe('Float64', () => {
  it('writes a whole number as float64, as Python writes grade 100.0', () => {
    expect(encode(new Float64(100)).toString('hex')).toBe('cb4059000000000000');
    expect(encode(new Float64(0)).toString('hex')).toBe('cb0000000000000000');
  });

  it('writes a fractional number as float64 too', () => {
    expect(encode(new Float64(87.5)).toString('hex')).toBe('cb4055e00000000000');
  });

  it('keeps the map layout around it', () => {
    expect(encode({ grade: new Float64(100), '@type': 'X' }).toString('hex')).toBe('82a56772616465cb4059000000000000a54074797065a158');
  });
});

describe('round trips with Python msgpack (packb use_bin_type=True, unpackb raw=False)', () => {
  const sample = {
    text: 'Grüße, 世界! ✓ 🙂',
    empty: '',
    bytes: Buffer.from([0x00, 0xff, 0x7f, 0x80, 0xc1]),
    nothing: null,
    yes: true,
    nested: { list: [1, 'two', { three: [null, false] }], map: { 'a-b': { c: -1 } } },
    half: 1.5,
    negative: -2.25,
    big: 2n ** 63n,
    bigNegative: -(2n ** 63n),
    uint32: 4294967295,
    int: -129,
  };

  it('Python reads what we write with the right types and writes the same bytes back', async () => {
    const bytes = encode(sample);
    expect(hex(await pythonRepack(bytes))).toBe(hex(bytes));
    expect(
      await pythonCheck(
        bytes,
        "type(v['text']) is str and v['bytes'] == b'\\x00\\xff\\x7f\\x80\\xc1' and v['nothing'] is None and v['half'] == 1.5 " +
          "and v['big'] == 2**63 and v['bigNegative'] == -2**63 and v['nested']['list'][2]['three'] == [None, False] and v['text'] == 'Grüße, 世界! ✓ 🙂'",
      ),
    ).toBe(true);
  });

  it('we read what Python writes with the right types and write back values Python reads as the same', async () => {
    const bytes = await pythonPack(
      "{'s': 'héllo ✓', 'b': bytes(range(256)), 'n': None, 'f': 87.5, 'g': 100.0, 'u64': 2**64 - 1, 'i64': -2**63, " +
        "'i': 2**40, 'm': {'x': [1, {'y': b''}]}, 'debug': 'ssh'}",
    );
    const value = decode(bytes) as Record<string, unknown>;
    expect(value.s).toBe('héllo ✓');
    expect(Buffer.from(value.b as Uint8Array)).toEqual(Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
    expect(value.n).toBeNull();
    expect(value.f).toBe(87.5);
    expect(value.g).toBe(100);
    expect(value.u64).toBe(2n ** 64n - 1n);
    expect(value.i64).toBe(-(2n ** 63n));
    expect(Number(value.i)).toBe(2 ** 40);
    expect((value.m as { x: [number, { y: Uint8Array }] }).x[1].y).toBeInstanceOf(Uint8Array);
    // A 64-bit int comes back as a bigint, which msgpackr writes as int64 where Python chose uint64: same value for Python.
    const ours = encode({ ...value, g: new Float64(value.g as number) });
    expect(hex(await pythonRepack(ours))).toBe(hex(bytes));
  });
});
