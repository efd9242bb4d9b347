import { lstat, opendir } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import type { TreeEntryStat, TreeFileSystem } from './tree-usage';

const GONE = new Set(['ENOENT', 'ENOTDIR']);

function isGone(error: unknown): boolean {
  return GONE.has((error as NodeJS.ErrnoException).code ?? '');
}

/** The host's file system for tree walks: opendir streams entries, lstat never follows a link. */
@Injectable()
export class NodeTreeFileSystem implements TreeFileSystem {
  async *list(folder: string): AsyncIterable<string> {
    let dir;
    try {
      dir = await opendir(folder, { bufferSize: 256 });
    } catch (error) {
      if (isGone(error)) return;
      throw error;
    }
    // the iterator closes the folder when the loop ends or breaks
    for await (const entry of dir) yield entry.name;
  }

  async lstat(path: string): Promise<TreeEntryStat | undefined> {
    try {
      const s = await lstat(path);
      return { bytes: s.blocks * 512, ino: s.ino, nlink: s.nlink, isDirectory: s.isDirectory() };
    } catch (error) {
      if (isGone(error)) return undefined;
      throw error;
    }
  }
}
