import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeTreeFileSystem } from './node-tree-file-system';
import { measureTree } from './tree-usage';

const unbounded = { maxBytes: Infinity, maxEntries: Infinity };

describe('NodeTreeFileSystem (the real file system)', () => {
  let root: string;
  let outside: string;
  const fs = new NodeTreeFileSystem();

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tree-usage-'));
    outside = mkdtempSync(join(tmpdir(), 'tree-outside-'));
    writeFileSync(join(outside, 'big'), Buffer.alloc(4 << 20, 1));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('never follows links: a link to a big host folder or file costs one entry and no data', async () => {
    symlinkSync(outside, join(root, 'to-folder'));
    symlinkSync(join(outside, 'big'), join(root, 'to-file'));
    const usage = await measureTree(fs, root, unbounded);
    expect(usage.entries).toBe(3);
    expect(usage.bytes).toBeLessThan(64 * 1024);
  });

  it('counts allocated blocks: a sparse 1 GiB file is nearly free, a written 1 MiB file is 1 MiB', async () => {
    writeFileSync(join(root, 'sparse'), '');
    truncateSync(join(root, 'sparse'), 1 << 30);
    mkdirSync(join(root, 'sub'));
    writeFileSync(join(root, 'sub', 'data'), Buffer.alloc(1 << 20, 1));
    const usage = await measureTree(fs, root, unbounded);
    expect(usage.entries).toBe(4);
    expect(usage.bytes).toBeGreaterThanOrEqual(1 << 20);
    expect(usage.bytes).toBeLessThan((1 << 20) + 64 * 1024);
  });

  it('counts a hard-linked file once', async () => {
    writeFileSync(join(root, 'a'), Buffer.alloc(1 << 20, 1));
    for (const name of ['b', 'c', 'd']) linkSync(join(root, 'a'), join(root, name));
    const usage = await measureTree(fs, root, unbounded);
    expect(usage.entries).toBe(5);
    expect(usage.bytes).toBeLessThan((1 << 20) + 64 * 1024);
  });

  it('a missing root or a file given as a folder is empty, not an error', async () => {
    expect(await measureTree(fs, join(root, 'missing'), unbounded)).toEqual({ bytes: 0, entries: 0, complete: true });
    writeFileSync(join(root, 'file'), 'x');
    expect([...(await collect(fs.list(join(root, 'file'))))]).toEqual([]);
  });
});

async function collect(names: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const name of names) all.push(name);
  return all;
}
