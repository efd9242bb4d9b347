import { Module } from '@nestjs/common';
import type { AsyncMicroserviceOptions } from '@nestjs/microservices';
import { EnvironmentsModule } from '../environments/environments.module';
import { AgentHelloComposer } from './agent-hello-composer';
import { BackendSender } from './backend-sender';
import { BackendSocket } from './backend-socket';
import { BackendTransport } from './backend-transport';
import { HeartbeatWatchdog } from './heartbeat-watchdog';
import { Timers } from './timers';

/** The backend link: its transport strategy and the BackendSender that every module sends through. */
@Module({
  imports: [EnvironmentsModule],
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
