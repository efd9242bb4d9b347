import { Module } from '@nestjs/common';
import { DockerModule } from '../docker/docker.module';
import { EnvironmentsModule } from '../environments/environments.module';
import { JobFilesModule } from '../job-files/job-files.module';
import { TimeoutsModule } from '../timeouts/timeouts.module';
import { WarmContainers } from './warm-containers';
import { WarmPool } from './warm-pool.service';

/** Grading containers made ahead of demand; Jobs takes one or gets nothing (and starts one cold). */
@Module({
  imports: [DockerModule, EnvironmentsModule, JobFilesModule, TimeoutsModule],
  providers: [WarmPool, WarmContainers],
  exports: [WarmPool],
})
export class WarmPoolModule {}
