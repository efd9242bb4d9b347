/**
 * Who may use SSH (behaviour.md "SSH debug and ports"). SSH debug of a grading job is served unless the operator turned
 * it off; an SSH session in a student container is an SSH *feature*, allowed as the Python agent allows it.
 */

/** Why a `debug: "ssh"` job is refused, or undefined when it may run. */
export function sshDebugRefusal(sshDebugEnabled: boolean): string | undefined {
  if (sshDebugEnabled) return undefined;
  return 'SSH debug is disabled on this agent (AGENT_SSH_DEBUG is off). Please contact your course administrator.';
}

export interface StudentSshJob {
  /** the job's environment type (`docker-ssh` for a task whose environment allows SSH) */
  envtype: string;
  /** whether the job's grading container has network */
  network: boolean;
}

/** Why `run_student(ssh=True)` ends the job (a text for the task author), or undefined when it is allowed. */
export function studentSshRefusal(agentAllowsSsh: boolean, job: StudentSshJob): string | undefined {
  if (!agentAllowsSsh) {
    return 'SSH for student containers is disabled on this agent (AGENT_SSH_ALLOWED, --ssh, is off). Please contact your course administrator.';
  }
  const missing = [
    !job.envtype.includes('ssh') && 'an environment that allows SSH (environment type docker-ssh)',
    !job.network && 'network access',
  ].filter(Boolean);
  if (missing.length === 0) return undefined;
  return `SSH for student containers requires ${missing.join(' and ')}: enable it in the task's environment configuration.`;
}

/** What to add when a job asks for an SSH environment type this agent does not serve because SSH is not allowed. */
export function sshEnvtypeHint(envtype: string, agentAllowsSsh: boolean): string {
  if (agentAllowsSsh || !envtype.endsWith('-ssh')) return '';
  return ' SSH environment types are served only by an agent that allows SSH (AGENT_SSH_ALLOWED, --ssh).';
}
