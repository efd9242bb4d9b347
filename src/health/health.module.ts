import { Module } from '@nestjs/common';
import { DockerModule } from '../docker/docker.module';
import { JobsModule } from '../jobs/jobs.module';
import { StudentContainersModule } from '../student-containers/student-containers.module';
import { HealthCheck } from './health-check.service';

/** The scheduled Docker health check. Needs ScheduleModule.forRoot() in the application. */
@Module({
  imports: [DockerModule, JobsModule, StudentContainersModule],
  providers: [HealthCheck],
})
export class HealthModule {}
