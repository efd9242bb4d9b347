import { describe, expect, it } from 'vitest';
import type { HeartbeatWatchdog } from '../backend/heartbeat-watchdog';
import type { AgentConfig } from '../config/agent-config';
import type { DockerEvents } from '../docker/docker-events.service';
import type { RunningJob } from '../jobs/running-job';
import type { RunningJobs } from '../jobs/running-jobs.registry';
import type { StudentContainer } from '../student-containers/student-container';
import type { StudentContainersRegistry } from '../student-containers/student-containers.registry';
import { Telemetry } from '../telemetry/telemetry';
import type { WarmPool, WarmPoolStats } from '../warm-pool/warm-pool.service';
import { AgentMetrics } from './agent-metrics';

function metricsWith(state: {
  jobs?: Partial<RunningJob>[];
  students?: Partial<StudentContainer>[];
  watchdog?: Partial<HeartbeatWatchdog>;
  streamOpen?: boolean;
  warm?: WarmPoolStats;
}) {
  const telemetry = new Telemetry();
  const jobs = state.jobs ?? [];
  const metrics = new AgentMetrics(
    { friendlyName: 'agent-1', agentId: 'abc', concurrency: 3 } as AgentConfig,
    telemetry,
    { size: jobs.length, all: () => jobs } as unknown as RunningJobs,
    { all: () => state.students ?? [] } as unknown as StudentContainersRegistry,
    { watching: false, lastHeardAtMs: undefined, silences: 0, ...state.watchdog } as HeartbeatWatchdog,
    { isAlive: () => state.streamOpen ?? true } as unknown as DockerEvents,
    { stats: () => state.warm ?? { idle: 0, hits: 0, misses: 0 } } as unknown as WarmPool,
  );
  return { metrics, telemetry };
}

async function value(metrics: AgentMetrics, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = metrics.registry.getSingleMetric(name);
  const data = await metric?.get();
  return data?.values.find((v) => Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l))?.value;
}

describe('AgentMetrics', () => {
  it('reads slots, containers, the backend link and the event stream from the state the modules own', async () => {
    const { metrics } = metricsWith({
      jobs: [{ containerId: 'a', died: false }, { containerId: 'b', died: true }, { died: false }],
      students: [{ closed: false }, { closed: true }],
      watchdog: { watching: true, lastHeardAtMs: Date.now(), silences: 2 },
      streamOpen: false,
      warm: { idle: 2, hits: 5, misses: 4 },
    });
    expect(await value(metrics, 'agent_job_slots_total')).toBe(3);
    expect(await value(metrics, 'agent_job_slots_busy')).toBe(3);
    expect(await value(metrics, 'agent_containers_running', { role: 'grading' })).toBe(1);
    expect(await value(metrics, 'agent_containers_running', { role: 'student' })).toBe(1);
    expect(await value(metrics, 'agent_containers_running', { role: 'warm' })).toBe(2);
    expect(await value(metrics, 'agent_warm_pool_hits_total')).toBe(5);
    expect(await value(metrics, 'agent_warm_pool_misses_total')).toBe(4);
    expect(await value(metrics, 'agent_backend_connected')).toBe(1);
    expect(await value(metrics, 'agent_backend_reconnects_total')).toBe(2);
    expect(await value(metrics, 'agent_docker_event_stream_open')).toBe(0);
  });

  it('says the backend is not connected when it has not been heard from lately', async () => {
    const { metrics } = metricsWith({ watchdog: { watching: true, lastHeardAtMs: Date.now() - 10_000 } });
    expect(await value(metrics, 'agent_backend_connected')).toBe(0);
  });

  it('counts signals: jobs by result and environment, phases, memory kills, limits, retvals, Docker failures', async () => {
    const { metrics, telemetry } = metricsWith({});
    const env = { environmentType: 'docker', environment: 'default' };
    telemetry.record('job.done', { ...env, result: 'overflow', phases: { prepare: 0.1, run: 2 } });
    telemetry.record('job.done', { ...env, result: 'success', phases: { prepare: 0.2 } });
    telemetry.record('limit.crossed', { kind: 'wall' });
    telemetry.record('student.retval', { retval: 253 });
    telemetry.record('docker.call', { operation: 'POST /containers/{id}/start', seconds: 0.02, failed: true });
    telemetry.record('docker.call', { operation: 'POST /containers/{id}/start', seconds: 0.01, failed: false });
    expect(await value(metrics, 'agent_jobs_total', { result: 'overflow', environment: 'default' })).toBe(1);
    expect(await value(metrics, 'agent_jobs_total', { result: 'success' })).toBe(1);
    expect(await value(metrics, 'agent_job_phase_seconds', { phase: 'prepare', le: '+Inf' })).toBe(2);
    expect(await value(metrics, 'agent_limit_kills_total', { kind: 'memory' })).toBe(1);
    expect(await value(metrics, 'agent_limit_kills_total', { kind: 'wall' })).toBe(1);
    expect(await value(metrics, 'agent_limit_kills_total', { kind: 'cpu' })).toBe(0);
    expect(await value(metrics, 'agent_student_containers_total', { retval: '253' })).toBe(1);
    expect(await value(metrics, 'agent_docker_api_errors_total', { operation: 'POST /containers/{id}/start' })).toBe(1);
  });
});
