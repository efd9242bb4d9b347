/** A container runtime as the agent uses it: a Docker runtime name serving one environment type. */
export interface Runtime {
  /** name given to Docker as HostConfig.Runtime (e.g. "runc", "kata-runtime") */
  dockerRuntime: string;
  envtype: string;
  runAsRoot: boolean;
  sharedKernel: boolean;
  gpu: boolean;
}

/**
 * What a runtime module contributes (multi-provider under RUNTIME_DETECTORS): recognising its Docker runtime names.
 * Adding a runtime is adding one module that provides one of these; nothing else changes.
 */
export interface RuntimeDetector {
  /** lower wins when two detectors claim runtimes for the same envtype (e.g. runc before io.containerd.runc.v2) */
  readonly priority: number;
  /** the Runtime for this Docker runtime name, or undefined when this detector does not handle it */
  detect(dockerRuntimeName: string): Runtime | undefined;
}

export const RUNTIME_DETECTORS = Symbol('RUNTIME_DETECTORS');
