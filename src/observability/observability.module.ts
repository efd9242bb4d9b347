import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { BackendModule } from '../backend/backend.module';
import { DockerModule } from '../docker/docker.module';
import { JobsModule } from '../jobs/jobs.module';
import { StudentContainersModule } from '../student-containers/student-containers.module';
import { WarmPoolModule } from '../warm-pool/warm-pool.module';
import { AgentMetrics } from './agent-metrics';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { ReadinessChecks } from './readiness-checks';

/** The HTTP edge for operators: /health/live, /health/ready, /metrics. It only reads; nothing imports it. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), BackendModule, DockerModule, JobsModule, StudentContainersModule, WarmPoolModule],
  controllers: [HealthController, MetricsController],
  providers: [AgentMetrics, ReadinessChecks],
})
export class ObservabilityModule {}
