import type { Runtime } from '../runtimes/runtime.types';

/**
 * The runtime a student container runs under: its environment's, unless the grading script asks for root and that
 * runtime does not run containers as root; then any served runtime that does (as the Python agent picks one), or
 * none: the request cannot be honoured.
 */
export function studentRuntime(environmentRuntime: Runtime, served: readonly Runtime[], runAsRoot: boolean): Runtime | undefined {
  if (!runAsRoot || environmentRuntime.runAsRoot) return environmentRuntime;
  return served.find((runtime) => runtime.runAsRoot);
}
