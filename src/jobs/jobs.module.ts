import { Module } from '@nestjs/common';
import { BackendModule } from '../backend/backend.module';
import { DockerModule } from '../docker/docker.module';
import { EnvironmentsModule } from '../environments/environments.module';
import { PortsModule } from '../ports/ports.module';
import { TimeoutsModule } from '../timeouts/timeouts.module';
import { BackendJobsController } from './backend-jobs.controller';
import { EngineFacts } from './engine-facts';
import { FolderRemover } from './folder-remover';
import { JobCompletion } from './job-completion';
import { JobFolders } from './job-folder';
import { JobHooks } from './job-hooks';
import { JobsService } from './jobs.service';
import { RunningJobs } from './running-jobs.registry';

/** The grading job lifecycle, and the backend's job messages that drive it. */
@Module({
  imports: [BackendModule, DockerModule, EnvironmentsModule, PortsModule, TimeoutsModule],
  controllers: [BackendJobsController],
  providers: [JobsService, JobCompletion, RunningJobs, JobFolders, JobHooks, EngineFacts, FolderRemover],
  exports: [JobsService, RunningJobs, JobHooks, JobFolders, EngineFacts],
})
export class JobsModule {}
