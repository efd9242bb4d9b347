import { Module } from '@nestjs/common';
import { BackendModule } from '../backend/backend.module';
import { DockerModule } from '../docker/docker.module';
import { EnvironmentsModule } from '../environments/environments.module';
import { JobFilesModule } from '../job-files/job-files.module';
import { PortsModule } from '../ports/ports.module';
import { TimeoutsModule } from '../timeouts/timeouts.module';
import { WarmPoolModule } from '../warm-pool/warm-pool.module';
import { WorkerPoolModule } from '../worker-pool/worker-pool.module';
import { BackendJobsController } from './backend-jobs.controller';
import { ContainerFrames } from './container-frames';
import { FolderRemovalTurns } from './folder-removal-turns';
import { GradingContainers } from './grading-containers';
import { JobCompletion } from './job-completion';
import { JobHooks } from './job-hooks';
import { JobsService } from './jobs.service';
import { RunningJobs } from './running-jobs.registry';

/** The grading job lifecycle, and the backend's job messages that drive it. */
@Module({
  imports: [BackendModule, DockerModule, EnvironmentsModule, JobFilesModule, PortsModule, TimeoutsModule, WarmPoolModule, WorkerPoolModule],
  controllers: [BackendJobsController],
  providers: [
    JobsService,
    JobCompletion,
    RunningJobs,
    JobHooks,
    ContainerFrames,
    GradingContainers,
    FolderRemovalTurns,
  ],
  exports: [JobsService, RunningJobs, JobHooks],
})
export class JobsModule {}
