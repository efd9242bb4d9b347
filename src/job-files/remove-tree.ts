import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Removes a folder and everything in it, never following a link — even when a container that failed to be removed
 * still swaps entries meanwhile: GNU rm walks with directory descriptors (openat/unlinkat, O_NOFOLLOW), which
 * Node's fs.rm, walking by path names, does not. A missing folder is fine.
 */
export async function removeTree(path: string): Promise<void> {
  await run('rm', ['-rf', '--one-file-system', '--', path]);
}
