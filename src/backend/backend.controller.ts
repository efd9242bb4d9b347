import { Controller, Inject, Optional } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { JobsService } from '../jobs/jobs.service';
import { Telemetry } from '../telemetry/telemetry';
import type { BackendKillJob, BackendNewJob, Ping } from './backend.messages';
import { BackendSender } from './backend-sender';

/** The backend's messages, handed over at once. Nothing here waits on Docker, and nothing throws into the transport. */
@Controller()
export class BackendController {
  @Optional() @Inject(Telemetry) private readonly telemetry = new Telemetry();

  constructor(
    private readonly sender: BackendSender,
    private readonly jobs: JobsService,
    @InjectPinoLogger(BackendController.name) private readonly logger: PinoLogger,
  ) {}

  @EventPattern('Ping')
  ping(@Payload() _message: Ping): void {
    const arrived = performance.now();
    void this.sender.send({ '@type': 'Pong' }).then(() => this.telemetry.record('backend.pong', { seconds: (performance.now() - arrived) / 1000 }));
  }

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
