import { statfs } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';

/** Free space of a file system, as an unprivileged writer sees it. */
@Injectable()
export class HostDiskSpace {
  async freeBytes(path: string): Promise<number> {
    const s = await statfs(path);
    return s.bavail * s.bsize;
  }
}
