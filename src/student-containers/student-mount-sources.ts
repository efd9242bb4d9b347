import { Injectable } from '@nestjs/common';
import { chmod, mkdir } from 'node:fs/promises';
import type { JobFolderPaths } from '../job-files/job-folders';

/**
 * Creates the job's folders a student container mounts when the task has none, world-writable as the rest of the job
 * folder: otherwise Docker would create them, owned by root.
 */
@Injectable()
export class StudentMountSources {
  async prepare(folder: JobFolderPaths): Promise<void> {
    for (const path of [`${folder.student}/scripts`, folder.systemfiles]) {
      const created = await mkdir(path, { recursive: true });
      if (created) await chmod(path, 0o777);
    }
  }
}
