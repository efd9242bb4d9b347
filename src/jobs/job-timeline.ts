import type { BackendNewJob } from '../backend/backend.messages';
import type { JobPhase, TelemetrySignals } from '../telemetry/telemetry';

/** How long each phase of one job took, each measured from the end of the one before (the first from reception). */
export class JobTimeline {
  private readonly durations: Partial<Record<JobPhase, number>> = {};
  private lastMs = performance.now();

  /** Ends `phase` now (only its first end counts) and returns the durations so far, in seconds. */
  end(phase: JobPhase): Partial<Record<JobPhase, number>> {
    if (this.durations[phase] === undefined) {
      const now = performance.now();
      this.durations[phase] = (now - this.lastMs) / 1000;
      this.lastMs = now;
    }
    return { ...this.durations };
  }
}

export function jobDoneSignal(
  request: BackendNewJob,
  result: string,
  phases: Partial<Record<JobPhase, number>>,
): TelemetrySignals['job.done'] {
  return { result, environmentType: request.environment_type, environment: request.environment, phases };
}
