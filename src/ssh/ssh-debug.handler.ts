import { Injectable, type OnModuleInit } from '@nestjs/common';
import { JobHooks } from '../jobs/job-hooks';
import { SshAnnouncer } from './ssh-announcer';

/** `ssh_debug` from a grading container of a `debug: "ssh"` job (its permission was checked when the job started). */
@Injectable()
export class SshDebugHandler implements OnModuleInit {
  constructor(
    private readonly hooks: JobHooks,
    private readonly announcer: SshAnnouncer,
  ) {}

  onModuleInit(): void {
    this.hooks.handle('ssh_debug', (job, message) => {
      if (job.containerId) return this.announcer.announce(job, job.containerId, message);
    });
  }
}
