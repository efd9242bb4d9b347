import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { ReadinessChecks } from './readiness-checks';

/** Liveness (the process answers HTTP) and readiness (it can take and run jobs): 200 or 503 with the failing checks. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly checks: ReadinessChecks,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.checks.takingJobs(),
      () => this.checks.backend(),
      () => this.checks.docker(),
      () => this.checks.dockerEvents(),
    ]);
  }
}
