import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { BackendSender } from '../backend/backend-sender';
import { DockerGateway } from '../docker/docker.gateway';
import { JobHooks } from '../jobs/job-hooks';
import type { RunningJob } from '../jobs/running-job';
import { DebugHost } from './debug-host';

const SSH_PORT = '22/tcp';

/** Sends AgentJobSSHDebug: at most once per job, with the external port Docker bound to the container's port 22. */
@Injectable()
export class SshAnnouncer implements OnModuleInit {
  private readonly announced = new Set<string>();

  constructor(
    @InjectPinoLogger(SshAnnouncer.name) private readonly logger: PinoLogger,
    private readonly sender: BackendSender,
    private readonly docker: DockerGateway,
    private readonly debugHost: DebugHost,
    private readonly hooks: JobHooks,
  ) {}

  onModuleInit(): void {
    this.hooks.onClosing(async (job) => {
      this.announced.delete(job.id);
    });
  }

  /** `containerId`: the grading container, or one of the job's student containers. */
  async announce(job: RunningJob, containerId: string, credentials: Record<string, unknown>): Promise<void> {
    const user = credentials.ssh_user;
    const password = credentials.ssh_key ?? credentials.password;
    if (typeof user !== 'string' || typeof password !== 'string') {
      this.logger.warn({ jobId: job.id, containerId }, 'SSH announcement without a text ssh_user and ssh_key ignored');
      return;
    }
    if (this.announced.has(job.id)) {
      this.logger.warn({ jobId: job.id, containerId }, 'SSH session already announced for this job: ignored');
      return;
    }
    const port = (await this.docker.inspect(containerId))?.ports[SSH_PORT];
    if (port === undefined) {
      this.logger.warn({ jobId: job.id, containerId }, 'SSH announcement from a container without a published port 22 ignored');
      return;
    }
    if (this.announced.has(job.id) || job.closing) return;
    this.announced.add(job.id);
    const host = this.debugHost.host;
    this.logger.info({ jobId: job.id, containerId, host, port, user }, 'SSH debug session announced');
    await this.sender.send({ job_id: job.id, host, port, user, password, '@type': 'AgentJobSSHDebug' });
  }
}
