import type { RuntimeSetting } from '../config/agent-config.schema';
import type { Runtime, RuntimeCandidate, RuntimeDetector } from './runtime.types';

export interface RuntimeDetection {
  /** one per envtype, in the order Docker first listed a runtime for it */
  runtimes: Runtime[];
  /** Docker runtimes that lost their envtype to a preferred one */
  displaced: { dockerRuntime: string; envtype: string; keptDockerRuntime: string }[];
  /** Docker runtimes no detector recognised (e.g. io.containerd.runtime.v1.linux) */
  unrecognised: string[];
}

/**
 * Which runtime serves each envtype, from Docker's runtime names (in Docker's order) and the detectors of the runtime
 * modules. Two runtimes never share an envtype: the lower `preference` keeps it, then the one Docker lists first.
 */
export function detectRuntimes(dockerRuntimeNames: readonly string[], detectors: readonly RuntimeDetector[]): RuntimeDetection {
  const chosen = new Map<string, RuntimeCandidate>();
  const displaced: RuntimeDetection['displaced'] = [];
  const unrecognised: string[] = [];
  for (const name of dockerRuntimeNames) {
    const candidate = bestCandidate(name, detectors);
    if (!candidate) {
      unrecognised.push(name);
      continue;
    }
    const { envtype } = candidate.runtime;
    const current = chosen.get(envtype);
    if (!current) {
      chosen.set(envtype, candidate);
      continue;
    }
    const [kept, lost] = candidate.preference < current.preference ? [candidate, current] : [current, candidate];
    chosen.set(envtype, kept);
    displaced.push({ dockerRuntime: lost.runtime.dockerRuntime, envtype, keptDockerRuntime: kept.runtime.dockerRuntime });
  }
  return { runtimes: [...chosen.values()].map((c) => c.runtime), displaced, unrecognised };
}

function bestCandidate(name: string, detectors: readonly RuntimeDetector[]): RuntimeCandidate | undefined {
  let best: RuntimeCandidate | undefined;
  for (const detector of detectors) {
    const candidate = detector.detect(name);
    if (candidate && (!best || candidate.preference < best.preference)) best = candidate;
  }
  return best;
}

/** The runtimes configured explicitly (AGENT_RUNTIMES), used as they are: no detection. */
export function runtimesFromSettings(settings: readonly RuntimeSetting[]): Runtime[] {
  return settings.map((s) => ({
    dockerRuntime: s.runtime,
    envtype: s.envtype,
    runAsRoot: s.runAsRoot,
    sharedKernel: s.sharedKernel,
    gpu: s.gpu,
  }));
}
