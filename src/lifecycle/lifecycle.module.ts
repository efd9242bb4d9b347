import { Module } from '@nestjs/common';
import { DockerModule } from '../docker/docker.module';
import { HealthModule } from '../health/health.module';
import { JobFilesModule } from '../job-files/job-files.module';
import { JobsModule } from '../jobs/jobs.module';
import { AgentShutdown } from './agent-shutdown';
import { AgentStartup } from './agent-startup';
import { OwnContainers } from './own-containers';

/**
 * Start and stop of the agent. Imports HealthModule so that it sits nearer the root than Jobs, Docker and Health:
 * Nest runs destroy hooks root-first, and the shutdown drain needs those modules still working.
 */
@Module({
  imports: [DockerModule, JobsModule, JobFilesModule, HealthModule],
  providers: [AgentStartup, AgentShutdown, OwnContainers],
})
export class LifecycleModule {}
