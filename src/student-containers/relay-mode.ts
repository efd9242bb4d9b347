import type { GradingEnvironment } from '../environments/grading-environment';
import type { Runtime } from '../runtimes/runtime.types';

/**
 * Relay mode: a generation-3 grading container and its student container cannot share a unix socket (one of them
 * has its own kernel), so their conversation goes through the agent instead of /__parent.sock.
 */
export function relayed(parent: GradingEnvironment | undefined, studentRuntime: Runtime): boolean {
  return parent?.generation === 3 && (!parent.runtime.sharedKernel || !studentRuntime.sharedKernel);
}
