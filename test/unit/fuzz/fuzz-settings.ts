import fc from 'fast-check';

/** Cases per property: the issue asks for at least 10 000 in CI. */
export const FUZZ_RUNS = 10_000;

/** Any value msgpack can carry (nil, bool, int, float, text, bin, array, map), nested a little. */
export const msgpackValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.string(),
    fc.uint8Array({ maxLength: 16 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A text that is sometimes far longer than anything sane (what a hostile peer sends to bloat logs). */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.nat({ max: 200_000 }).map((n) => 'x'.repeat(n)),
);

/** Bytes cut into arbitrary chunks (every chunk non-empty). */
export function chunked(bytes: Uint8Array, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    if (point > from) chunks.push(Buffer.from(bytes.subarray(from, point)));
    from = point;
  }
  return chunks;
}
