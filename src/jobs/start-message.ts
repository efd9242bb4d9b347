import type { BackendNewJob } from '../backend/backend.messages';
import type { GradingEnvironment } from '../environments/grading-environment';
import type { Runtime } from '../runtimes/runtime.types';

/**
 * The first frame a grading container reads (wire.md §3). Key order as the Python agent writes it, so the bytes are the
 * same as the captured ones.
 */
export function startMessage(
  job: BackendNewJob,
  environment: GradingEnvironment,
  runtimes: readonly Runtime[],
  runCmd: string,
): Record<string, unknown> {
  const generation3 = environment.generation === 3;
  const envtypes = Object.fromEntries(runtimes.map((r) => [r.envtype, generation3 ? r.sharedKernel : true]));
  return {
    type: 'start',
    input: job.inputdata,
    debug: job.debug,
    envtypes,
    ...(runCmd ? { run_cmd: runCmd } : {}),
    run_as_root: environment.runtime.runAsRoot,
    ...(generation3 ? { shared_kernel: environment.runtime.sharedKernel } : {}),
  };
}
