import { chmod, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Makes a folder's tree writable by anyone. Runs before any container exists (nothing can swap an entry meanwhile),
 * and still never follows a link: entries are typed without following (dirent), links are left as they are.
 */
export async function makeWorldWritable(folder: string): Promise<void> {
  await chmod(folder, 0o777);
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) await makeWorldWritable(path);
    else if (entry.isFile()) await chmod(path, ((await lstat(path)).mode & 0o777) | 0o666);
  }
}
