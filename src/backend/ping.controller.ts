import { Controller, Inject, Optional } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Telemetry } from '../telemetry/telemetry';
import type { Ping } from './backend.messages';
import { BackendSender } from './backend-sender';

/**
 * The Pings the link's own thread handed over instead of answering them: those that arrived while the event loop was
 * stalled (see LinkThread). Answered as soon as the event loop runs again.
 */
@Controller()
export class PingController {
  @Optional() @Inject(Telemetry) private readonly telemetry = new Telemetry();

  constructor(private readonly sender: BackendSender) {}

  @EventPattern('Ping')
  ping(@Payload() _message: Ping): void {
    const arrived = performance.now();
    void this.sender
      .send({ '@type': 'Pong' })
      .then(() => this.telemetry.record('backend.pong', { seconds: (performance.now() - arrived) / 1000 }));
  }
}
