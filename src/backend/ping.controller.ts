import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { Ping } from './backend.messages';
import { BackendSender } from './backend-sender';

/** The backend's heartbeat, answered at once: a Pong never waits behind Docker work. */
@Controller()
export class PingController {
  constructor(private readonly sender: BackendSender) {}

  @EventPattern('Ping')
  ping(@Payload() _message: Ping): void {
    void this.sender.send({ '@type': 'Pong' });
  }
}
