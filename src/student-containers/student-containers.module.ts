import { Module } from '@nestjs/common';
import { DockerModule } from '../docker/docker.module';
import { EnvironmentsModule } from '../environments/environments.module';
import { JobsModule } from '../jobs/jobs.module';
import { PortsModule } from '../ports/ports.module';
import { SshModule } from '../ssh/ssh.module';
import { TimeoutsModule } from '../timeouts/timeouts.module';
import { StudentContainersRegistry } from './student-containers.registry';
import { StudentContainersService } from './student-containers.service';
import { StudentMessagesHandler } from './student-messages.handler';
import { StudentMountSources } from './student-mount-sources';

/** Student containers started on behalf of grading containers (wire.md §4). */
@Module({
  imports: [DockerModule, EnvironmentsModule, JobsModule, PortsModule, SshModule, TimeoutsModule],
  providers: [StudentContainersService, StudentContainersRegistry, StudentMessagesHandler, StudentMountSources],
  exports: [StudentContainersRegistry, StudentContainersService],
})
export class StudentContainersModule {}
