import { Injectable } from '@nestjs/common';
import { AgentConfig } from '../config/agent-config';
import { gradingContainerBody } from '../container-bodies/grading-container-body';
import { DockerGateway } from '../docker/docker.gateway';
import type { JobResourceFacts } from '../docker/engine-facts';
import { JobFolders, type TaskFilesSource } from '../job-files/job-folders';
import { ContainerStorageQuota } from '../timeouts/container-storage-quota';
import { DiskLimitsService } from '../timeouts/disk-limits.service';
import type { TakenContainer } from '../warm-pool/warm-container';
import { WarmPool } from '../warm-pool/warm-pool.service';
import type { JobPlan } from './job-plan';
import type { RunningJob } from './running-job';
import { RunningJobs } from './running-jobs.registry';

/** How a job got its grading container. */
export type ObtainedContainer =
  | { kind: 'warm'; taken: TakenContainer }
  | { kind: 'created' }
  /** a stop came once the job's folder was ready: no container was created */
  | { kind: 'stopped' };

/**
 * A job's folder and grading container: taken warm from the pool when the job allows it, else a folder prepared and a
 * container created for it. The job learns its folder and container as each comes to exist, so that closing it at any
 * point finds and removes them.
 */
@Injectable()
export class GradingContainers {
  constructor(
    private readonly config: AgentConfig,
    private readonly docker: DockerGateway,
    private readonly folders: JobFolders,
    private readonly warmPool: WarmPool,
    private readonly storageQuota: ContainerStorageQuota,
    private readonly jobs: RunningJobs,
    private readonly disk: DiskLimitsService,
  ) {}

  async obtain(job: RunningJob, plan: JobPlan, facts: JobResourceFacts, location: TaskFilesSource | undefined): Promise<ObtainedContainer> {
    const { environment, parameters, containerPorts } = plan;
    const storageOption = await this.storageQuota.storageOption(parameters.diskMiB);
    // Published ports (SSH debug included) and a container layer size are fixed at creation: such jobs always start a
    // container of their own.
    const taken =
      containerPorts.length === 0 && !storageOption
        ? await this.warmPool.take({ jobId: job.id, environment, network: parameters.networkGrading, memoryMiB: parameters.limits.memoryMiB, location })
        : undefined;
    job.folder = taken?.folder ?? (await this.folders.prepare(job.id, location));
    this.disk.addPart(job.id, { kind: 'folder', path: job.folder.root });
    job.timeline.end('prepare');
    if (taken) {
      this.jobs.attachContainer(job, taken.containerId);
      return { kind: 'warm', taken };
    }
    if (job.stopReason) return { kind: 'stopped' };
    const body = gradingContainerBody({
      jobId: job.id,
      agentId: this.config.agentId,
      environment,
      folder: job.folder,
      memoryMiB: parameters.limits.memoryMiB,
      network: parameters.networkGrading,
      publishedPorts: new Map(containerPorts.map((port, i) => [port, job.ports[i]])),
      ideDebugger: this.config.debugger,
      openFilesLimit: facts.openFilesPerJob,
      pidsLimit: this.config.pidsLimit,
      cgroupV1: facts.cgroupVersion === 1,
      storageOption,
    });
    this.jobs.attachContainer(job, await this.docker.createContainer(body));
    return { kind: 'created' };
  }
}
