import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { link, lstat, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobFolderPaths } from './job-folder-layout';

export type SocketClaim = { ok: true; path: string } | { ok: false; found: string };

/** What a claimed socket's lstat says, when it is not what a grading container's run_student creates. */
export function socketProblem(stats: { isSocket(): boolean; isSymbolicLink(): boolean; isDirectory(): boolean; nlink: number }): string | undefined {
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isDirectory()) return 'a folder';
  if (!stats.isSocket()) return 'not a socket';
  // its own name in sockets/ and our claim: another name would be one the agent does not know about
  if (stats.nlink > 2) return `a socket with ${stats.nlink} names`;
  return undefined;
}

/**
 * The run_student socket of a grading container, taken out of its reach before it is checked and mounted: a hard
 * link (which never follows a symbolic link) into the job's agent-only folder. The grading container may swap
 * `sockets/<id>.sock` at any moment; what is checked and mounted is the claimed inode, which it can no longer change.
 * The original name stays, so the container's runtime can unlink it when the student container ends.
 */
@Injectable()
export class SocketClaims {
  async claim(folder: JobFolderPaths, socketId: string): Promise<SocketClaim> {
    const claimed = join(folder.claimedSockets, `${randomUUID()}.sock`);
    try {
      await link(join(folder.sockets, `${socketId}.sock`), claimed);
    } catch (error) {
      return { ok: false, found: linkFailure(error) };
    }
    const problem = socketProblem(await lstat(claimed));
    if (!problem) return { ok: true, path: claimed };
    await this.release(claimed);
    return { ok: false, found: problem };
  }

  /** Gives a claimed socket's name up, once the student container that mounted it has ended. */
  async release(claimedPath: string | undefined): Promise<void> {
    if (claimedPath) await rm(claimedPath, { force: true });
  }
}

function linkFailure(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'nothing';
    case 'EPERM':
      return 'a folder';
    default:
      return `an unusable entry (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
}
