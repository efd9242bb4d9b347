/** A container runtime as the agent uses it: a Docker runtime name serving one environment type. */
export interface Runtime {
  /** name given to Docker as HostConfig.Runtime (e.g. "runc", "kata-runtime") */
  dockerRuntime: string;
  envtype: string;
  runAsRoot: boolean;
  sharedKernel: boolean;
  gpu: boolean;
}

/** A Docker runtime a detector recognised, with how much it wants to serve its envtype. */
export interface RuntimeCandidate {
  runtime: Runtime;
  /** lower wins when several Docker runtimes claim the same envtype (e.g. runc 0 before io.containerd.runc.v2 1) */
  preference: number;
}

/**
 * What a runtime module contributes: recognising its Docker runtime names. A class implementing this and decorated
 * with `@RuntimeDetectorProvider()`, provided by any module of the application, is found by the RuntimeRegistry.
 */
export interface RuntimeDetector {
  /** undefined when this detector does not handle that Docker runtime name */
  detect(dockerRuntimeName: string): RuntimeCandidate | undefined;
}
