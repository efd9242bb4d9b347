import { Module } from '@nestjs/common';
import { BackendModule } from '../backend/backend.module';
import { DockerModule } from '../docker/docker.module';
import { EnvironmentsModule } from '../environments/environments.module';
import { JobFilesModule } from '../job-files/job-files.module';
import { PortsModule } from '../ports/ports.module';
import { TimeoutsModule } from '../timeouts/timeouts.module';
import { WorkerPoolModule } from '../worker-pool/worker-pool.module';
import { BackendJobsController } from './backend-jobs.controller';
import { ContainerFrames } from './container-frames';
import { EngineFacts } from './engine-facts';
import { JobCompletion } from './job-completion';
import { JobHooks } from './job-hooks';
import { JobsService } from './jobs.service';
import { RunningJobs } from './running-jobs.registry';

/** The grading job lifecycle, and the backend's job messages that drive it. */
@Module({
  imports: [BackendModule, DockerModule, EnvironmentsModule, JobFilesModule, PortsModule, TimeoutsModule, WorkerPoolModule],
  controllers: [BackendJobsController],
  providers: [JobsService, JobCompletion, RunningJobs, JobHooks, EngineFacts, ContainerFrames],
  exports: [JobsService, RunningJobs, JobHooks, EngineFacts],
})
export class JobsModule {}
