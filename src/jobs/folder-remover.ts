import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';

const STDERR_KEPT = 2_000;

/**
 * Removes job folders in a child `rm -rf`. A folder of 200 000 files removed with `fs.rm` queues hundreds of thousands
 * of unlink calls on libuv's threadpool (4 threads), where every other job's file I/O then waits, and runs their
 * callbacks on the event loop; a child process costs the agent one spawn. `rm` never follows a symbolic link.
 */
@Injectable()
export class FolderRemover {
  async remove(path: string): Promise<void> {
    try {
      await runRm(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await rm(path, { recursive: true, force: true }); // no rm binary on this host
    }
  }
}

function runRm(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('rm', ['-rf', '--', path], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < STDERR_KEPT) stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`rm -rf ${path} failed (${code}): ${stderr.trim()}`))));
  });
}
