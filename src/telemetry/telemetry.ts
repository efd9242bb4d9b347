import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';

export const JOB_PHASES = ['prepare', 'create', 'start', 'run', 'close'] as const;
export type JobPhase = (typeof JOB_PHASES)[number];

/** What the modules report as it happens, by signal name. Durations are in seconds. */
export interface TelemetrySignals {
  /** one per AgentJobDone; `phases` holds the phases the job went through */
  'job.done': { result: string; environmentType: string; environment: string; phases: Partial<Record<JobPhase, number>> };
  /** a container crossed a limit the sweep watches and is being stopped */
  'limit.crossed': { kind: 'cpu' | 'wall' | 'processes' };
  'limit.sweep': { seconds: number; containers: number };
  /** one per run_student_retval sent to a grading container */
  'student.retval': { retval: number };
  /** a Ping answered: from its arrival to the Pong handed to the socket */
  'backend.pong': { seconds: number };
  'docker.call': { operation: string; seconds: number; failed: boolean };
  /** shutdown began: no new job is taken from now on */
  'agent.draining': Record<string, never>;
}

export type TelemetryListener<K extends keyof TelemetrySignals> = (signal: TelemetrySignals[K]) => void;

/**
 * The recorder modules report through, without knowing who listens (observability turns signals into metrics).
 * Injected as an optional property defaulting to a fresh, unheard instance, so that no module needs it to work.
 */
@Injectable()
export class Telemetry {
  private readonly bus = new EventEmitter();

  record<K extends keyof TelemetrySignals>(name: K, signal: TelemetrySignals[K]): void {
    try {
      this.bus.emit(name, signal);
    } catch {
      // a listener's failure must never reach the job, the sweep or the Docker call that reported
    }
  }

  on<K extends keyof TelemetrySignals>(name: K, listener: TelemetryListener<K>): void {
    this.bus.on(name, listener);
  }
}
