import { Module } from '@nestjs/common';
import type { AsyncMicroserviceOptions } from '@nestjs/microservices';
import { AgentHelloComposer } from './agent-hello-composer';
import { BackendSender } from './backend-sender';
import { BackendSocket } from './backend-socket';
import { BackendTransport } from './backend-transport';
import { HeartbeatWatchdog } from './heartbeat-watchdog';
import { PingController } from './ping.controller';
import { Timers } from './timers';

/**
 * The backend link: its transport strategy, the heartbeat, and the BackendSender that every module sends through.
 * The hello's environments come from an AvailableEnvironmentsSource provided by the application.
 */
@Module({
  controllers: [PingController],
  providers: [
    BackendSocket,
    BackendSender,
    BackendTransport,
    HeartbeatWatchdog,
    AgentHelloComposer,
    Timers,
  ],
  exports: [BackendSender, HeartbeatWatchdog],
})
export class BackendModule {}

/** Microservice options whose strategy is the DI-managed BackendTransport, so it shares its socket with BackendSender. */
export function backendMicroserviceOptions(): AsyncMicroserviceOptions {
  return { inject: [BackendTransport], useFactory: (strategy: BackendTransport) => ({ strategy }) };
}
