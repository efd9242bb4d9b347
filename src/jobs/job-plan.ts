import type { BackendNewJob } from '../backend/backend.messages';
import type { GradingEnvironment } from '../environments/grading-environment';
import { cut } from '../logging/cut-value';
import { type JobParameters, parseJobParameters } from './job-parameters';
import { JobRejected } from './job-rejected.error';
import { sshDebugRefusal, sshEnvtypeHint } from './ssh-permission';

/** What a job needs, decided from its request before anything is touched (behaviour.md "Job lifecycle" step 2–3). */
export interface JobPlan {
  environment: GradingEnvironment;
  parameters: JobParameters;
  /** container ports to publish from the pool (the environment's, and 22 for SSH debug) */
  containerPorts: number[];
}

export interface JobPlanContext {
  find(envtype: string, name: string): GradingEnvironment | undefined;
  maxMemoryMiB: number;
  sshAllowed: boolean;
  sshDebug: boolean;
  ideDebugger: boolean;
}

/** The job's plan, or a JobRejected saying what stops it. */
export function planJob(request: BackendNewJob, context: JobPlanContext): JobPlan {
  const environment = context.find(request.environment_type, request.environment);
  if (!environment) {
    const hint = sshEnvtypeHint(request.environment_type, context.sshAllowed);
    throw new JobRejected(
      `The environment ${cut(request.environment_type)}/${cut(request.environment)} is not available on this agent.${hint} Please contact your course administrator.`,
    );
  }
  const sshDebug = request.debug === 'ssh';
  const sshRefused = sshDebug ? sshDebugRefusal(context.sshDebug) : undefined;
  if (sshRefused) throw new JobRejected(sshRefused);
  const containerPorts = [...new Set([...environment.ports, ...(sshDebug ? [22] : [])])];
  const parameters = parseJobParameters(request.environment_parameters, {
    interactive: containerPorts.length > 0,
    maxMemoryMiB: context.maxMemoryMiB,
    ideDebugger: context.ideDebugger,
  });
  return { environment, parameters, containerPorts };
}
