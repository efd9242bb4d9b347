import { Module } from '@nestjs/common';
import { DockerModule } from '../docker/docker.module';
import { CgroupCpuReader } from './cgroup-cpu-reader';
import { CgroupFiles } from './cgroup-files';
import { Clock, SystemClock } from './clock';
import { ContainerCpuUsage } from './container-cpu-usage';
import { DockerStatsCpuReader } from './docker-stats-cpu-reader';
import { SweepSettings } from './sweep-settings';
import { TimeoutsService } from './timeouts.service';

@Module({
  imports: [DockerModule],
  providers: [
    TimeoutsService,
    ContainerCpuUsage,
    CgroupCpuReader,
    CgroupFiles,
    DockerStatsCpuReader,
    { provide: Clock, useClass: SystemClock },
    { provide: SweepSettings, useFactory: SweepSettings.forThisHost },
  ],
  exports: [TimeoutsService],
})
export class TimeoutsModule {}
