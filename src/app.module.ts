import { type DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import type { AgentConfig } from './config/agent-config';
import { ConfigModule } from './config/config.module';
import { AnnouncedEnvironmentsModule } from './environments/announced-environments.module';
import { JobsModule } from './jobs/jobs.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { StudentContainersModule } from './student-containers/student-containers.module';
import { LoggingModule } from './logging/logging.module';
import { ObservabilityModule } from './observability/observability.module';
import { TelemetryModule } from './telemetry/telemetry.module';

@Module({})
export class AppModule {
  static forRoot(config: AgentConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(),
        TelemetryModule,
        ScheduleModule.forRoot(),
        AnnouncedEnvironmentsModule,
        JobsModule,
        LifecycleModule,
        StudentContainersModule,
        ObservabilityModule,
      ],
    };
  }
}
