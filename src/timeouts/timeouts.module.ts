import { Module } from '@nestjs/common';
import { DockerModule } from '../docker/docker.module';
import { CgroupCpuReader } from './cgroup-cpu-reader';
import { CgroupFiles } from './cgroup-files';
import { Clock, SystemClock } from './clock';
import { ContainerCpuUsage } from './container-cpu-usage';
import { ContainerStorageQuota } from './container-storage-quota';
import { DiskLimitsService } from './disk-limits.service';
import { DiskSweepSettings } from './disk-sweep-settings';
import { DiskUsageReader } from './disk-usage-reader';
import { DockerStatsCpuReader } from './docker-stats-cpu-reader';
import { HostDiskSpace } from './host-disk-space';
import { NodeTreeFileSystem } from './node-tree-file-system';
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
    DiskLimitsService,
    DiskUsageReader,
    NodeTreeFileSystem,
    HostDiskSpace,
    ContainerStorageQuota,
    { provide: DiskSweepSettings, useFactory: () => new DiskSweepSettings() },
  ],
  exports: [TimeoutsService, DiskLimitsService, ContainerStorageQuota, Clock],
})
export class TimeoutsModule {}
