import { Module } from '@nestjs/common';
import { BackendModule } from '../backend/backend.module';
import { DockerModule } from '../docker/docker.module';
import { JobsModule } from '../jobs/jobs.module';
import { DebugHost } from './debug-host';
import { SshAnnouncer } from './ssh-announcer';
import { SshDebugHandler } from './ssh-debug.handler';

/** SSH debug sessions: the debug host, and AgentJobSSHDebug for grading and student containers. */
@Module({
  imports: [BackendModule, DockerModule, JobsModule],
  providers: [DebugHost, SshAnnouncer, SshDebugHandler],
  exports: [SshAnnouncer],
})
export class SshModule {}
