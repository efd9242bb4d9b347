import { Global, Module } from '@nestjs/common';
import { AvailableEnvironmentsSource } from '../backend/available-environments.source';
import { EnvironmentCatalog } from './environment-catalog.service';
import { EnvironmentsModule } from './environments.module';

/**
 * The catalog as what AgentHello announces. Global, so that the backend link gets it by its own token and never
 * imports the environments (dependencies point inward).
 */
@Global()
@Module({
  imports: [EnvironmentsModule],
  providers: [{ provide: AvailableEnvironmentsSource, useExisting: EnvironmentCatalog }],
  exports: [AvailableEnvironmentsSource],
})
export class AnnouncedEnvironmentsModule {}
