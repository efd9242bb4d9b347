import type { JobParameters } from '../jobs/job-parameters';

/** Why SSH access is refused to a job (a text for the task author), or undefined when it is allowed. */
export function sshRefusal(agentAllowsSsh: boolean, job: Pick<JobParameters, 'networkGrading' | 'sshAllowed'> | undefined): string | undefined {
  if (!agentAllowsSsh) {
    return 'SSH access is disabled on this agent (AGENT_SSH_ALLOWED is off). Please contact your course administrator.';
  }
  if (!job?.sshAllowed || !job.networkGrading) {
    return 'SSH access requires the task to allow both SSH and network access: enable them in the task\'s environment configuration.';
  }
  return undefined;
}
