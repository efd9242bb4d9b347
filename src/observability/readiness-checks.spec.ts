import { HealthIndicatorService } from '@nestjs/terminus';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HeartbeatWatchdog } from '../backend/heartbeat-watchdog';
import type { DockerEvents } from '../docker/docker-events.service';
import type { DockerGateway } from '../docker/docker.gateway';
import { Telemetry } from '../telemetry/telemetry';
import { ReadinessChecks } from './readiness-checks';

function checks(
  watchdog: Partial<HeartbeatWatchdog>,
  ping: () => Promise<void> = async () => undefined,
  streamOpen = true,
  telemetry = new Telemetry(),
) {
  return new ReadinessChecks(
    new HealthIndicatorService(),
    watchdog as HeartbeatWatchdog,
    { ping } as unknown as DockerGateway,
    { isAlive: () => streamOpen } as unknown as DockerEvents,
    telemetry,
  );
}

describe('ReadinessChecks', () => {
  afterEach(() => vi.useRealTimers());

  it('backend: up only when registered and heard from within 3 s', () => {
    const now = Date.now();
    expect(checks({ watching: true, lastHeardAtMs: now - 1_000 }).backend().backend.status).toBe('up');
    expect(checks({ watching: true, lastHeardAtMs: now - 4_000 }).backend().backend.status).toBe('down');
    expect(checks({ watching: true, lastHeardAtMs: undefined }).backend().backend.status).toBe('down');
    expect(checks({ watching: false, lastHeardAtMs: now }).backend().backend.status).toBe('down');
  });

  it('docker: down with the reason when the ping fails, and when it does not answer within 2 s', async () => {
    expect((await checks({}).docker()).docker.status).toBe('up');
    const refused = await checks({}, () => Promise.reject(new Error('connect ENOENT /var/run/docker.sock'))).docker();
    expect(refused.docker).toMatchObject({ status: 'down', message: 'connect ENOENT /var/run/docker.sock' });
    vi.useFakeTimers();
    const hanging = checks({}, () => new Promise<void>(() => undefined)).docker();
    await vi.advanceTimersByTimeAsync(2_000);
    expect((await hanging).docker).toMatchObject({ status: 'down', message: 'no answer within 2000 ms' });
  });

  it('takingJobs: down once shutdown began draining the jobs', () => {
    const telemetry = new Telemetry();
    const readiness = checks({}, undefined, true, telemetry);
    expect(readiness.takingJobs().takingJobs.status).toBe('up');
    telemetry.record('agent.draining', {});
    expect(readiness.takingJobs().takingJobs).toMatchObject({ status: 'down', message: 'shutting down: running jobs are draining' });
  });

  it("dockerEvents: follows the event stream's state", () => {
    expect(checks({}, undefined, true).dockerEvents().dockerEvents.status).toBe('up');
    expect(checks({}, undefined, false).dockerEvents().dockerEvents.status).toBe('down');
  });
});
