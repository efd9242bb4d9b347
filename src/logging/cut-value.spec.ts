import { describe, expect, it } from 'vitest';
import { cut, QUOTE_LIMIT } from './cut-value';

describe('cut', () => {
  it('keeps a short value whole', () => {
    expect(cut('BackendNewJob')).toBe('BackendNewJob');
    expect(cut('x'.repeat(QUOTE_LIMIT))).toBe('x'.repeat(QUOTE_LIMIT));
  });

  it('cuts a long value at the limit and says how long it was', () => {
    expect(cut('x'.repeat(3 * 1024 * 1024))).toBe(`${'x'.repeat(QUOTE_LIMIT)}… (cut: 3145728 characters)`);
    expect(cut('abcdef', 3)).toBe('abc… (cut: 6 characters)');
  });

  it('never leaves half of a surrogate pair', () => {
    expect(cut('ab😀cd', 3)).toBe('ab… (cut: 6 characters)');
  });

  it('quotes other values as text, bin by its size', () => {
    expect(cut(42)).toBe('42');
    expect(cut(null)).toBe('null');
    expect(cut(Buffer.alloc(10))).toBe('bin of 10 bytes');
  });
});
