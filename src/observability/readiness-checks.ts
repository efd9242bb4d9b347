import { Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { HeartbeatWatchdog } from '../backend/heartbeat-watchdog';
import { DockerEvents } from '../docker/docker-events.service';
import { DockerGateway } from '../docker/docker.gateway';
import { Telemetry } from '../telemetry/telemetry';
import { BACKEND_HEARD_WITHIN_MS, backendLinkUp } from './backend-freshness';

const DOCKER_PING_TIMEOUT_MS = 2000;

/** What /health/ready checks: taking jobs (not draining), the backend link, Docker answering, its event stream open. */
@Injectable()
export class ReadinessChecks {
  private draining = false;

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly watchdog: HeartbeatWatchdog,
    private readonly gateway: DockerGateway,
    private readonly events: DockerEvents,
    telemetry: Telemetry,
  ) {
    telemetry.on('agent.draining', () => (this.draining = true));
  }

  takingJobs(): HealthIndicatorResult {
    const indicator = this.indicators.check('takingJobs');
    return this.draining ? indicator.down({ message: 'shutting down: running jobs are draining' }) : indicator.up();
  }

  backend(): HealthIndicatorResult {
    const indicator = this.indicators.check('backend');
    const heardAt = this.watchdog.lastHeardAtMs;
    const details = { registered: this.watchdog.watching, lastMessageAgoMs: heardAt === undefined ? null : Date.now() - heardAt };
    if (backendLinkUp(this.watchdog, Date.now())) return indicator.up(details);
    return indicator.down({ ...details, message: `not registered, or no message from the backend for more than ${BACKEND_HEARD_WITHIN_MS} ms` });
  }

  async docker(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('docker');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${DOCKER_PING_TIMEOUT_MS} ms`)), DOCKER_PING_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.gateway.ping(), timeout]);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }

  dockerEvents(): HealthIndicatorResult {
    const indicator = this.indicators.check('dockerEvents');
    return this.events.isAlive() ? indicator.up() : indicator.down({ message: "Docker's event stream is not open" });
  }
}
