import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';

/** Reads files of the host's cgroup hierarchy. */
@Injectable()
export class CgroupFiles {
  private readonly root = '/sys/fs/cgroup';

  /** Rejects with the fs error (ENOENT when the cgroup does not exist). */
  read(relativePath: string): Promise<string> {
    return readFile(join(this.root, relativePath), 'utf8');
  }
}
