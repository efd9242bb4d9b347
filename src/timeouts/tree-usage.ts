/** What a folder tree holds: allocated bytes (hard links counted once) and entries (files, folders, links). */
export interface TreeUsage {
  bytes: number;
  entries: number;
  /** false when counting stopped early, past a bound: the real figures are larger */
  complete: boolean;
}

export interface TreeBounds {
  maxBytes: number;
  maxEntries: number;
}

export interface TreeEntryStat {
  /** allocated bytes (st_blocks × 512): what the file costs the disk, sparse files included */
  bytes: number;
  ino: number;
  nlink: number;
  isDirectory: boolean;
}

/** The file system as the walk sees it: nothing here ever follows a symbolic link. */
export interface TreeFileSystem {
  /** A folder's entry names, streamed (a folder of a million entries is never held at once); none when it is gone. */
  list(folder: string): AsyncIterable<string>;
  /** undefined when the path is gone (the container may delete while we count) */
  lstat(path: string): Promise<TreeEntryStat | undefined>;
}

/** lstat calls in flight at once: other I/O on libuv's threadpool (4 threads) waits behind at most this many quick calls. */
export const WALK_BATCH = 16;

/**
 * Counts a tree, depth first, without following links, and stops as soon as a bound is crossed: the cost of a walk is
 * bounded by the bounds, not by the tree. A folder replaced or removed mid-walk is skipped.
 */
export async function measureTree(fs: TreeFileSystem, root: string, bounds: TreeBounds): Promise<TreeUsage> {
  const usage: TreeUsage = { bytes: 0, entries: 0, complete: true };
  const seenLinkedInodes = new Set<number>();
  const over = () => usage.bytes > bounds.maxBytes || usage.entries > bounds.maxEntries;

  const count = (stat: TreeEntryStat | undefined, path: string, folders: string[]) => {
    if (!stat) return;
    usage.entries++;
    if (stat.nlink > 1 && !stat.isDirectory) {
      if (seenLinkedInodes.has(stat.ino)) return;
      seenLinkedInodes.add(stat.ino);
    }
    usage.bytes += stat.bytes;
    if (stat.isDirectory) folders.push(path);
  };

  const folders: string[] = [];
  count(await fs.lstat(root), root, folders);
  while (folders.length > 0 && !over()) {
    const folder = folders.pop() as string;
    let batch: string[] = [];
    const flush = async () => {
      const stats = await Promise.all(batch.map((path) => fs.lstat(path)));
      stats.forEach((stat, i) => count(stat, batch[i], folders));
      batch = [];
    };
    for await (const name of fs.list(folder)) {
      batch.push(`${folder}/${name}`);
      if (batch.length >= WALK_BATCH) await flush();
      if (over()) break;
    }
    await flush();
  }
  usage.complete = !over();
  return usage;
}

export function addUsage(a: TreeUsage, b: TreeUsage): TreeUsage {
  return { bytes: a.bytes + b.bytes, entries: a.entries + b.entries, complete: a.complete && b.complete };
}

export const EMPTY_USAGE: TreeUsage = { bytes: 0, entries: 0, complete: true };
