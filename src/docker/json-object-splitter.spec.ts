import { describe, expect, it } from 'vitest';
import { JsonObjectSplitter } from './json-object-splitter';

const die = (n: number) => JSON.stringify({ status: 'die', id: `c${n}`, Actor: { Attributes: { exitCode: String(n) } }, timeNano: n });

describe('JsonObjectSplitter', () => {
  it('returns each object of a newline-delimited chunk, in order', () => {
    const splitter = new JsonObjectSplitter();
    expect(splitter.push(Buffer.from(`${die(1)}\n${die(2)}\n${die(3)}\n`))).toEqual([die(1), die(2), die(3)]);
  });

  it('joins an object split across chunks at every possible byte', () => {
    const text = `${die(1)}\n${die(2)}\n`;
    for (let cut = 1; cut < text.length; cut++) {
      const splitter = new JsonObjectSplitter();
      const got = [...splitter.push(Buffer.from(text.slice(0, cut))), ...splitter.push(Buffer.from(text.slice(cut)))];
      expect(got, `cut at ${cut}`).toEqual([die(1), die(2)]);
    }
  });

  it('delivers one byte at a time', () => {
    const splitter = new JsonObjectSplitter();
    const got = [...Buffer.from(`${die(7)}\n${die(8)}`)].flatMap((byte) => splitter.push(Buffer.from([byte])));
    expect(got).toEqual([die(7), die(8)]);
  });

  it('needs no newline between objects', () => {
    expect(new JsonObjectSplitter().push(`${die(1)}${die(2)}`)).toEqual([die(1), die(2)]);
  });

  it('ignores braces and escaped quotes inside strings', () => {
    const tricky = JSON.stringify({ Actor: { Attributes: { name: 'a}b{"c\\', 'x"}': '{{' } }, timeNano: 1 });
    const splitter = new JsonObjectSplitter();
    expect([...splitter.push(tricky.slice(0, 20)), ...splitter.push(`${tricky.slice(20)}\n${die(2)}`)]).toEqual([tricky, die(2)]);
  });

  it('keeps a multi-byte UTF-8 character split between chunks', () => {
    const text = JSON.stringify({ Actor: { Attributes: { name: 'héllo ✓ 🙂' } } });
    const bytes = Buffer.from(text);
    const cut = bytes.indexOf(Buffer.from('✓')) + 1;
    const splitter = new JsonObjectSplitter();
    const got = [...splitter.push(bytes.subarray(0, cut)), ...splitter.push(bytes.subarray(cut))];
    expect(got).toEqual([text]);
    expect(JSON.parse(got[0])).toEqual(JSON.parse(text));
  });

  it('returns nothing until an object is complete', () => {
    const splitter = new JsonObjectSplitter();
    expect(splitter.push('{"a":{"b":1}')).toEqual([]);
    expect(splitter.push('}')).toEqual(['{"a":{"b":1}}']);
  });
});
