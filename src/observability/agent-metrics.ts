import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { HeartbeatWatchdog } from '../backend/heartbeat-watchdog';
import { AgentConfig } from '../config/agent-config';
import { DockerEvents } from '../docker/docker-events.service';
import { RunningJobs } from '../jobs/running-jobs.registry';
import { StudentContainersRegistry } from '../student-containers/student-containers.registry';
import { JOB_PHASES, Telemetry } from '../telemetry/telemetry';
import { WarmPool } from '../warm-pool/warm-pool.service';
import { backendLinkUp } from './backend-freshness';

const LIMIT_KINDS = ['cpu', 'wall', 'processes', 'memory'] as const;
const FAST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
const DOCKER_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const PHASE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/**
 * The agent's Prometheus metrics (README "Operating it" lists them): counters and histograms fed by Telemetry signals,
 * gauges read at scrape time from the state the modules own.
 */
@Injectable()
export class AgentMetrics {
  readonly registry = new Registry();

  constructor(
    config: AgentConfig,
    telemetry: Telemetry,
    jobs: RunningJobs,
    students: StudentContainersRegistry,
    watchdog: HeartbeatWatchdog,
    dockerEvents: DockerEvents,
    warmPool: WarmPool,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    new Gauge({ name: 'agent_info', help: 'Always 1; labels name this agent', labelNames: ['friendly_name', 'agent_id'], registers })
      .labels(config.friendlyName, config.agentId)
      .set(1);

    const jobsDone = new Counter({ name: 'agent_jobs_total', help: 'Jobs answered (AgentJobDone), by result and environment', labelNames: ['result', 'environment_type', 'environment'], registers });
    const phases = new Histogram({ name: 'agent_job_phase_seconds', help: 'Duration of each phase of a job', labelNames: ['phase'], buckets: PHASE_BUCKETS, registers });
    const limitKills = new Counter({ name: 'agent_limit_kills_total', help: 'Containers stopped for crossing a limit, by kind (memory: grading jobs ended as overflow)', labelNames: ['kind'], registers });
    const studentContainers = new Counter({ name: 'agent_student_containers_total', help: 'Student containers ended, by the retval given to the grading container', labelNames: ['retval'], registers });
    const pong = new Histogram({ name: 'agent_backend_pong_seconds', help: 'From a Ping arriving to its Pong handed to the socket', buckets: FAST_BUCKETS, registers });
    const dockerCalls = new Histogram({ name: 'agent_docker_api_seconds', help: 'Docker Engine API call durations, by operation', labelNames: ['operation'], buckets: DOCKER_BUCKETS, registers });
    const dockerErrors = new Counter({ name: 'agent_docker_api_errors_total', help: 'Docker Engine API calls that failed, by operation', labelNames: ['operation'], registers });
    const sweep = new Histogram({ name: 'agent_limit_sweep_seconds', help: 'Duration of one sweep reading the CPU of every watched container', buckets: FAST_BUCKETS, registers });
    for (const kind of LIMIT_KINDS) limitKills.labels(kind).inc(0);
    for (const phase of JOB_PHASES) phases.zero({ phase });

    new Gauge({ name: 'agent_job_slots_total', help: 'Job slots announced to the backend', registers }).set(config.concurrency);
    new Gauge({ name: 'agent_job_slots_busy', help: 'Jobs running now', registers, collect() { this.set(jobs.size); } });
    new Gauge({
      name: 'agent_containers_running',
      help: 'Containers of this agent alive now, by role (grading: running a job, warm ones included; warm: idle in the pool)',
      labelNames: ['role'],
      registers,
      collect() {
        this.labels('grading').set(jobs.all().filter((job) => job.containerId !== undefined && !job.died).length);
        this.labels('student').set(students.all().filter((container) => !container.closed).length);
        this.labels('warm').set(warmPool.stats().idle);
      },
    });
    new Counter({ name: 'agent_warm_pool_hits_total', help: 'Jobs that started in a warm container', registers, collect() { this.reset(); this.inc(warmPool.stats().hits); } });
    new Counter({ name: 'agent_warm_pool_misses_total', help: 'Jobs the warm pool could not serve (started cold)', registers, collect() { this.reset(); this.inc(warmPool.stats().misses); } });
    new Gauge({ name: 'agent_backend_connected', help: '1 when registered with the backend and its Pings arrive', registers, collect() { this.set(backendLinkUp(watchdog, Date.now()) ? 1 : 0); } });
    new Counter({ name: 'agent_backend_reconnects_total', help: 'Times the backend fell silent and the agent reconnected', registers, collect() { this.reset(); this.inc(watchdog.silences); } });
    new Gauge({ name: 'agent_docker_event_stream_open', help: "1 when Docker's event stream (container deaths) is open", registers, collect() { this.set(dockerEvents.isAlive() ? 1 : 0); } });

    telemetry.on('job.done', (signal) => {
      jobsDone.labels(signal.result, signal.environmentType, signal.environment).inc();
      for (const [phase, seconds] of Object.entries(signal.phases)) phases.labels(phase).observe(seconds);
      if (signal.result === 'overflow') limitKills.labels('memory').inc();
    });
    telemetry.on('limit.crossed', (signal) => limitKills.labels(signal.kind).inc());
    telemetry.on('limit.sweep', (signal) => sweep.observe(signal.seconds));
    telemetry.on('student.retval', (signal) => studentContainers.labels(String(signal.retval)).inc());
    telemetry.on('backend.pong', (signal) => pong.observe(signal.seconds));
    telemetry.on('docker.call', (signal) => {
      dockerCalls.labels(signal.operation).observe(signal.seconds);
      if (signal.failed) dockerErrors.labels(signal.operation).inc();
    });
  }
}
