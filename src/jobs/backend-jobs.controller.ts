import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { BackendKillJob, BackendNewJob } from '../backend/backend.messages';
import { JobsService } from './jobs.service';

/** The backend's job messages, handed over at once. Nothing here waits on Docker, and nothing throws into the transport. */
@Controller()
export class BackendJobsController {
  constructor(
    private readonly jobs: JobsService,
    @InjectPinoLogger(BackendJobsController.name) private readonly logger: PinoLogger,
  ) {}

  @EventPattern('BackendNewJob')
  newJob(@Payload() message: BackendNewJob): void {
    this.handOver(message, () => this.jobs.start(message));
  }

  @EventPattern('BackendKillJob')
  killJob(@Payload() message: BackendKillJob): void {
    this.handOver(message, () => this.jobs.kill(message));
  }

  private handOver(message: BackendNewJob | BackendKillJob, handle: () => void): void {
    try {
      handle();
    } catch (error) {
      this.logger.error({ err: error, jobId: message.job_id, type: message['@type'] }, 'jobs refused a backend message');
    }
  }
}
