import { opendir, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';

/** Entries removed between two pauses. */
const BATCH = 256;
/** unlink calls in flight: other jobs' file I/O on libuv's threadpool (4 threads) waits behind at most this many */
const IN_FLIGHT = 4;
/** after a batch that took T ms, a pause of this × T: the disk's journal is never flooded by one removal */
const PAUSE_FACTOR = 0.5;

const isGone = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * Removes job folders at a measured pace. `fs.rm` on a folder of 200 000 files queues every unlink on libuv's
 * threadpool and runs their callbacks back to back: other jobs' file I/O waits behind it and the event loop stalls
 * for seconds; a child `rm -rf` floods the file system's journal, so every other job's file and Docker operation on
 * that disk stalls instead. Never follows a link (entries come from readdir, which does not resolve them).
 */
@Injectable()
export class FolderRemover {
  async remove(path: string): Promise<void> {
    for (;;) {
      await this.removeEntries(path);
      try {
        await rmdir(path);
        return;
      } catch (error) {
        if (isGone(error)) return;
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOTDIR') return unlink(path).catch((e: unknown) => (isGone(e) ? undefined : Promise.reject(e)));
        if (code !== 'ENOTEMPTY') throw error; // something was added while we removed: another pass
      }
    }
  }

  private async removeEntries(folder: string): Promise<void> {
    let dir;
    try {
      dir = await opendir(folder, { bufferSize: BATCH });
    } catch (error) {
      if (isGone(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return;
      throw error;
    }
    let batch: { name: string; folder: boolean }[] = [];
    const flush = async () => {
      const startedAt = performance.now();
      for (let i = 0; i < batch.length; i += IN_FLIGHT) {
        await Promise.all(batch.slice(i, i + IN_FLIGHT).map((entry) => this.removeEntry(join(folder, entry.name), entry.folder)));
      }
      batch = [];
      await new Promise((done) => setTimeout(done, (performance.now() - startedAt) * PAUSE_FACTOR));
    };
    for await (const entry of dir) {
      batch.push({ name: entry.name, folder: entry.isDirectory() });
      if (batch.length >= BATCH) await flush();
    }
    await flush();
  }

  private async removeEntry(path: string, folder: boolean): Promise<void> {
    try {
      await (folder ? this.remove(path) : unlink(path));
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }
}
