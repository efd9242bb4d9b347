import type { TreeBounds, TreeUsage } from './tree-usage';

/** One place a job writes to: its folder on the host, or the writable layer of one of its containers. */
export type DiskPart = { kind: 'folder'; path: string } | { kind: 'container'; containerId: string };

/** Why a job's disk watch fired. */
export type DiskExceeded =
  | { kind: 'bytes' | 'entries'; usage: TreeUsage; bounds: TreeBounds }
  | { kind: 'host-space'; freeBytes: number; jobBytes: number };

const MIB = 1024 * 1024;

/** The job's overflow text: which limit, with numbers, so a student or an operator knows what happened. */
export function diskExceededText(exceeded: DiskExceeded): string {
  switch (exceeded.kind) {
    case 'bytes':
      return `The job wrote more than its disk limit of ${Math.round(exceeded.bounds.maxBytes / MIB)} MiB (files in /task, /sockets and the containers' own files) and was stopped.`;
    case 'entries':
      return `The job created more than ${exceeded.bounds.maxEntries} files and folders, the most one job may have on this agent, and was stopped.`;
    case 'host-space':
      return `The grading host was running out of disk space (${Math.round(exceeded.freeBytes / MIB)} MiB free) and this job, its largest writer (${Math.round(exceeded.jobBytes / MIB)} MiB), was stopped. Please submit again later.`;
  }
}
