import { randomInt } from 'node:crypto';
import { LABEL_AGENT_ID, LABEL_JOB_ID, LABEL_ROLE } from '../docker/docker.labels';
import type { ContainerCreateBody } from '../docker/docker.types';
import type { GradingEnvironment } from '../environments/grading-environment';
import type { JobFolderPaths } from './job-folder';
import type { JobLimits } from './job-parameters';

export interface GradingContainerPlan {
  jobId: string;
  agentId: string;
  environment: GradingEnvironment;
  folder: JobFolderPaths;
  limits: JobLimits;
  /** a bridge network instead of none (network_grading, or ports to publish) */
  network: boolean;
  /** container port → external host port */
  publishedPorts: Map<number, number>;
  sshDebug: boolean;
  openFilesLimit: number;
  pidsLimit: number;
  /** swappiness and the in-kernel OOM killer can only be set on cgroup v1 */
  cgroupV1: boolean;
}

/** POST /containers/create body for a grading container (behaviour.md step 5; fixtures' create-request.json). */
export function gradingContainerBody(plan: GradingContainerPlan): ContainerCreateBody {
  const generation4 = plan.environment.generation === 4;
  const bindOptions = generation4 ? ['Z'] : [];
  const bind = (host: string, target: string, readOnly = false) =>
    [`${host}:${target}`, [readOnly ? 'ro' : generation4 ? '' : 'rw', ...bindOptions].filter(Boolean).join(',')].join(':');
  const memoryBytes = plan.limits.memoryMiB * 1024 * 1024;
  const ports = [...plan.publishedPorts.entries()];
  return {
    Image: plan.environment.imageId,
    Labels: { [LABEL_AGENT_ID]: plan.agentId, [LABEL_JOB_ID]: plan.jobId, [LABEL_ROLE]: 'grading' },
    Tty: false,
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    ...(generation4 ? { Env: [`DEBUGGER=${plan.sshDebug ? 'True' : 'False'}`] } : {}),
    ...(ports.length > 0 ? { ExposedPorts: Object.fromEntries(ports.map(([port]) => [`${port}/tcp`, {}])) } : {}),
    HostConfig: {
      Runtime: plan.environment.runtime.dockerRuntime,
      Memory: memoryBytes,
      MemorySwap: memoryBytes,
      ...(plan.cgroupV1 ? { MemorySwappiness: 0, OomKillDisable: true } : {}),
      PidsLimit: plan.pidsLimit,
      NetworkMode: plan.network || ports.length > 0 ? 'bridge' : 'none',
      ...(ports.length > 0
        ? { PortBindings: Object.fromEntries(ports.map(([port, host]) => [`${port}/tcp`, [{ HostPort: String(host) }]])) }
        : {}),
      Binds: [
        bind(plan.folder.task, '/task'),
        bind(plan.folder.sockets, '/sockets'),
        bind(plan.folder.courseCommon, '/course/common', true),
        bind(plan.folder.courseCommonStudent, '/course/common/student', true),
      ],
      Ulimits: [{ Name: 'nofile', Soft: plan.openFilesLimit, Hard: plan.openFilesLimit }],
      ...(generation4
        ? { ExtraHosts: ['host.docker.internal:host-gateway'], SecurityOpt: [selinuxLevel()] }
        : {}),
    },
  };
}

/** A random pair of SELinux categories, so that on SELinux hosts (":Z" binds) containers cannot read each other's files. */
function selinuxLevel(): string {
  const a = randomInt(0, 1024);
  let b = randomInt(0, 1024);
  while (b === a) b = randomInt(0, 1024);
  return `label=level:s0:c${Math.min(a, b)},c${Math.max(a, b)}`;
}
