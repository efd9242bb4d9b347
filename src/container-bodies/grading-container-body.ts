import { randomInt } from 'node:crypto';
import { LABEL_AGENT_ID, LABEL_JOB_ID, LABEL_ROLE } from '../docker/docker.labels';
import type { ContainerCreateBody } from '../docker/docker.types';
import type { GradingEnvironment } from '../environments/grading-environment';
import { ATTACHED_STDIO, bindMount, memoryLimits, publishedPorts } from './container-body-parts';
import type { JobFolderPaths } from '../job-files/job-folder-layout';

export interface GradingContainerPlan {
  /** absent for a warm container, made before its job is known (labelled with the role `warm` instead) */
  jobId?: string;
  agentId: string;
  environment: GradingEnvironment;
  folder: JobFolderPaths;
  memoryMiB: number;
  /** a bridge network instead of none (network_grading, or ports to publish) */
  network: boolean;
  /** container port → external host port */
  publishedPorts: Map<number, number>;
  /** DEBUGGER in a generation-4 container's environment: attach to an IDE debug server (AGENT_DEBUGGER) */
  ideDebugger: boolean;
  openFilesLimit: number;
  pidsLimit: number;
  /** swappiness and the in-kernel OOM killer can only be set on cgroup v1 */
  cgroupV1: boolean;
  /** the writable layer's size, when the engine enforces it (overlay2 over xfs with pquota) */
  storageOption?: { size: string };
}

/** POST /containers/create body for a grading container (behaviour.md step 5; fixtures' create-request.json). */
export function gradingContainerBody(plan: GradingContainerPlan): ContainerCreateBody {
  const generation = plan.environment.generation;
  const bind = (host: string, target: string, readOnly = false) => bindMount(generation, host, target, readOnly);
  const ports = publishedPorts(plan.publishedPorts);
  return {
    Image: plan.environment.imageId,
    Labels: {
      [LABEL_AGENT_ID]: plan.agentId,
      ...(plan.jobId === undefined ? { [LABEL_ROLE]: 'warm' } : { [LABEL_JOB_ID]: plan.jobId, [LABEL_ROLE]: 'grading' }),
    },
    ...ATTACHED_STDIO,
    ...(generation === 4 ? { Env: [`DEBUGGER=${plan.ideDebugger ? 'True' : 'False'}`] } : {}),
    ...ports.exposed,
    HostConfig: {
      Runtime: plan.environment.runtime.dockerRuntime,
      ...memoryLimits(plan.memoryMiB, plan.cgroupV1),
      PidsLimit: plan.pidsLimit,
      NetworkMode: plan.network || plan.publishedPorts.size > 0 ? 'bridge' : 'none',
      ...ports.bindings,
      Binds: [
        bind(plan.folder.task, '/task'),
        bind(plan.folder.sockets, '/sockets'),
        bind(plan.folder.courseCommon, '/course/common', true),
        bind(plan.folder.courseCommonStudent, '/course/common/student', true),
        // Beyond the Python agent: what student containers also mount is a mount of its own here, which the grading
        // container cannot rename or replace by a link (docs/security.md).
        bind(plan.folder.student, '/task/student'),
        bind(plan.folder.studentScripts, '/task/student/scripts'),
        bind(plan.folder.systemfiles, '/task/systemfiles'),
      ],
      Ulimits: [{ Name: 'nofile', Soft: plan.openFilesLimit, Hard: plan.openFilesLimit }],
      ...(generation === 4 ? { ExtraHosts: ['host.docker.internal:host-gateway'], SecurityOpt: [selinuxLevel()] } : {}),
      ...(plan.storageOption ? { StorageOpt: plan.storageOption } : {}),
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
