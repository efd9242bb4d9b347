import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { JobFolders } from '../job-files/job-folders';
import { OwnContainers } from './own-containers';

/**
 * A fresh start (behaviour.md "Docker state"): containers left by an earlier run of this agent are removed, then the
 * work folder is emptied. Bootstrap hooks all finish before the transport listens, so this is done before the hello
 * and thus before any job.
 */
@Injectable()
export class AgentStartup implements OnApplicationBootstrap {
  constructor(
    private readonly containers: OwnContainers,
    private readonly folders: JobFolders,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Containers first: a leftover one may still be writing to its folder.
    await this.containers.removeAll('leftovers of an earlier run');
    await this.folders.reset();
  }
}
