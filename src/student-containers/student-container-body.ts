import { LABEL_AGENT_ID, LABEL_JOB_ID, LABEL_ROLE } from '../docker/docker.labels';
import type { ContainerCreateBody } from '../docker/docker.types';
import type { GradingEnvironment } from '../environments/grading-environment';
import { ATTACHED_STDIO, bindMount, memoryLimits, publishedPorts } from '../container-bodies/container-body-parts';
import type { JobFolderPaths } from '../job-files/job-folder-layout';
import type { Runtime } from '../runtimes/runtime.types';

/** Where the student container's network comes from (wire.md §4). */
export type StudentNetwork = { kind: 'none' } | { kind: 'parent'; parentContainerId: string } | { kind: 'bridge'; sshHostPort: number };

export interface StudentContainerPlan {
  jobId: string;
  agentId: string;
  /** the image's environment (within the parent's environment type) */
  environment: GradingEnvironment;
  runtime: Runtime;
  /** the parent job's environment type, given to generation-3 images */
  parentEnvtype: string;
  folder: JobFolderPaths;
  /** host path of the claimed run_student socket; none when the conversation is relayed through the agent */
  socketPath?: string;
  memoryMiB: number;
  network: StudentNetwork;
  openFilesLimit: number;
  pidsLimit: number;
  cgroupV1: boolean;
  /** the parent's SELinux options (generation 4): the same level lets both containers use the job's relabelled files */
  securityOpt: string[];
  /** the writable layer's size, when the engine enforces it (overlay2 over xfs with pquota) */
  storageOption?: { size: string };
}

/** POST /containers/create body for a student container (fixture gen4-runstudent/student-create-request.json). */
export function studentContainerBody(plan: StudentContainerPlan): ContainerCreateBody {
  const generation4 = plan.environment.generation === 4;
  const bind = (host: string, target: string, readOnly = false) =>
    bindMount(plan.environment.generation, host, target, readOnly);
  const ports = publishedPorts(new Map(plan.network.kind === 'bridge' ? [[22, plan.network.sshHostPort]] : []));
  return {
    Image: plan.environment.imageId,
    Cmd: generation4 ? ['_run_student_intern'] : ['_run_student_intern', plan.runtime.dockerRuntime, plan.parentEnvtype],
    Labels: { [LABEL_AGENT_ID]: plan.agentId, [LABEL_JOB_ID]: plan.jobId, [LABEL_ROLE]: 'student' },
    ...ATTACHED_STDIO,
    ...ports.exposed,
    HostConfig: {
      Runtime: plan.runtime.dockerRuntime,
      ...memoryLimits(plan.memoryMiB, plan.cgroupV1),
      PidsLimit: plan.pidsLimit,
      NetworkMode: networkMode(plan.network),
      ...ports.bindings,
      Binds: [
        bind(plan.folder.student, '/task/student'),
        bind(plan.folder.studentScripts, '/task/student/scripts'),
        ...(plan.socketPath ? [bind(plan.socketPath, '/__parent.sock')] : []),
        bind(plan.folder.systemfiles, '/task/systemfiles', true),
        bind(plan.folder.courseCommonStudent, '/course/common/student', true),
      ],
      Ulimits: [{ Name: 'nofile', Soft: plan.openFilesLimit, Hard: plan.openFilesLimit }],
      ...(generation4 && plan.securityOpt.length > 0 ? { SecurityOpt: plan.securityOpt } : {}),
      ...(plan.storageOption ? { StorageOpt: plan.storageOption } : {}),
    },
  };
}

function networkMode(network: StudentNetwork): string {
  switch (network.kind) {
    case 'none':
      return 'none';
    case 'parent':
      return `container:${network.parentContainerId}`;
    case 'bridge':
      return 'bridge';
  }
}
