import { Module } from '@nestjs/common';
import { DockerModule } from '../docker/docker.module';
import { RuntimesModule } from '../runtimes/runtimes.module';
import { EnvironmentCatalog } from './environment-catalog.service';

/** The environment catalog, and the runtime registry it is built on (re-exported). */
@Module({
  imports: [DockerModule, RuntimesModule],
  providers: [EnvironmentCatalog],
  exports: [EnvironmentCatalog, RuntimesModule],
})
export class EnvironmentsModule {}
