import { relative } from 'node:path';
import { TaskFilesError } from './task-files.error';

/** A host folder and how the task's authors call it (`""` for the task folder, `"$common"` for the course's). */
export interface NamedPlace {
  host: string;
  name: string;
}

const BY_CODE: Record<string, { what: string; taskFault: boolean }> = {
  ERR_FS_CP_FIFO_PIPE: { what: 'is a named pipe (FIFO), which cannot be copied', taskFault: true },
  ERR_FS_CP_SOCKET: { what: 'is a socket, which cannot be copied', taskFault: true },
  ERR_FS_CP_UNKNOWN: { what: 'is a special file, which cannot be copied', taskFault: true },
  EACCES: { what: 'could not be read (permission denied)', taskFault: true },
  EPERM: { what: 'could not be read (operation not permitted)', taskFault: true },
  ENOSPC: { what: 'could not be copied: the grading agent\'s disk is full', taskFault: false },
  EDQUOT: { what: 'could not be copied: the grading agent\'s disk quota is exhausted', taskFault: false },
};

/** The failure of a file operation on a job's files, told in the task's terms (no host path). */
export function filesErrorText(error: unknown, places: readonly NamedPlace[]): TaskFilesError {
  const { code, path } = (error ?? {}) as { code?: unknown; path?: unknown };
  const known = typeof code === 'string' ? BY_CODE[code] : undefined;
  const named = typeof path === 'string' ? nameInTask(path, places) : undefined;
  const subject = named ? `"${named}"` : 'a file';
  const what = known?.what ?? `could not be copied (${typeof code === 'string' ? code : 'unknown error'})`;
  return new TaskFilesError(
    `The task's files could not be prepared for grading: ${subject} ${what}. Please tell the course administrator.`,
    known?.taskFault ?? false,
  );
}

/** `path` as the task's authors see it, or undefined when it is in none of the places. */
function nameInTask(path: string, places: readonly NamedPlace[]): string | undefined {
  for (const place of places) {
    const inside = relative(place.host, path);
    if (inside === '' || inside.startsWith('..') || inside.startsWith('/')) continue;
    return place.name ? `${place.name}/${inside}` : inside;
  }
  return undefined;
}

/** `text` with every occurrence of the agent's host folders replaced by what they are. */
export function hideHostPaths(text: string, folders: readonly NamedPlace[]): string {
  return folders.reduce((hidden, folder) => hidden.split(folder.host).join(folder.name), text);
}
