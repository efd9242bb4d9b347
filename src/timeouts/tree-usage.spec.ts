import { describe, expect, it } from 'vitest';
import { measureTree, type TreeEntryStat, type TreeFileSystem, WALK_BATCH } from './tree-usage';

type FakeNode = { dir: Record<string, FakeNode> } | { bytes: number; ino?: number; nlink?: number };

/** An in-memory tree; counts the calls so the tests can see how much work a walk did. */
function fakeFs(root: FakeNode) {
  const calls = { lstat: 0, listed: 0 };
  let nextIno = 1;
  const inodes = new Map<FakeNode, number>();
  const find = (path: string): FakeNode | undefined => {
    let node: FakeNode | undefined = root;
    for (const part of path.split('/').slice(1)) node = node && 'dir' in node ? node.dir[part] : undefined;
    return node;
  };
  const fs: TreeFileSystem = {
    async *list(folder) {
      const node = find(folder);
      if (!node || !('dir' in node)) return;
      for (const name of Object.keys(node.dir)) {
        calls.listed++;
        yield name;
      }
    },
    async lstat(path): Promise<TreeEntryStat | undefined> {
      calls.lstat++;
      const node = find(path);
      if (!node) return undefined;
      if ('dir' in node) return { bytes: 4096, ino: inodes.get(node) ?? (inodes.set(node, nextIno++), nextIno), nlink: 2, isDirectory: true };
      return { bytes: node.bytes, ino: node.ino ?? 1_000_000 + nextIno++, nlink: node.nlink ?? 1, isDirectory: false };
    },
  };
  return { fs, calls };
}

const files = (count: number, bytes: number): Record<string, FakeNode> =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${i}`, { bytes }]));

const unbounded = { maxBytes: Infinity, maxEntries: Infinity };

describe('measureTree', () => {
  it('sums allocated bytes and entries of the whole tree, folders included', async () => {
    const { fs } = fakeFs({ dir: { a: { bytes: 100 }, sub: { dir: { b: { bytes: 50 }, deeper: { dir: { c: { bytes: 7 } } } } } } });
    expect(await measureTree(fs, '', unbounded)).toEqual({ bytes: 3 * 4096 + 157, entries: 6, complete: true });
  });

  it('counts a hard-linked file\'s bytes once, each of its names as an entry', async () => {
    const linked = { bytes: 1000, ino: 42, nlink: 3 };
    const { fs } = fakeFs({ dir: { a: linked, b: linked, c: linked } });
    expect(await measureTree(fs, '', unbounded)).toEqual({ bytes: 4096 + 1000, entries: 4, complete: true });
  });

  it('stops past the byte bound: a huge tree costs about the bound, not the tree', async () => {
    const { fs, calls } = fakeFs({ dir: { big: { dir: files(10_000, 1024) } } });
    const usage = await measureTree(fs, '', { maxBytes: 100 * 1024, maxEntries: Infinity });
    expect(usage.complete).toBe(false);
    expect(usage.bytes).toBeGreaterThan(100 * 1024);
    expect(calls.lstat).toBeLessThan(100 + 2 * WALK_BATCH);
  });

  it('stops past the entry bound, even for empty files', async () => {
    const { fs, calls } = fakeFs({ dir: files(50_000, 0) });
    const usage = await measureTree(fs, '', { maxBytes: Infinity, maxEntries: 1000 });
    expect(usage).toMatchObject({ complete: false });
    expect(usage.entries).toBeGreaterThan(1000);
    expect(calls.listed).toBeLessThan(1000 + 2 * WALK_BATCH);
  });

  it('a tree exactly at its bounds is complete', async () => {
    const { fs } = fakeFs({ dir: files(3, 1000) });
    expect(await measureTree(fs, '', { maxBytes: 4096 + 3000, maxEntries: 4 })).toEqual({ bytes: 7096, entries: 4, complete: true });
  });

  it('a root that does not exist is empty', async () => {
    const { fs } = fakeFs({ dir: {} });
    expect(await measureTree(fs, '/missing', unbounded)).toEqual({ bytes: 0, entries: 0, complete: true });
  });
});
