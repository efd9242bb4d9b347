import { Module } from '@nestjs/common';
import { AgentConfig } from '../config/agent-config';
import { DockerModule } from '../docker/docker.module';
import { EnvironmentsModule } from '../environments/environments.module';
import { JobFilesModule } from '../job-files/job-files.module';
import { JobsModule } from '../jobs/jobs.module';
import { PortsModule } from '../ports/ports.module';
import { SshModule } from '../ssh/ssh.module';
import { TimeoutsModule } from '../timeouts/timeouts.module';
import { StudentContainersRegistry } from './student-containers.registry';
import { StudentContainersService } from './student-containers.service';
import { StudentMessagesHandler } from './student-messages.handler';
import { StudentSlots } from './student-slots';

/** Student containers started on behalf of grading containers (wire.md §4). */
@Module({
  imports: [DockerModule, EnvironmentsModule, JobFilesModule, JobsModule, PortsModule, SshModule, TimeoutsModule],
  providers: [
    StudentContainersService,
    StudentContainersRegistry,
    StudentMessagesHandler,
    { provide: StudentSlots, useFactory: (config: AgentConfig) => new StudentSlots(config.studentContainersPerJob), inject: [AgentConfig] },
  ],
  exports: [StudentContainersRegistry, StudentContainersService],
})
export class StudentContainersModule {}
