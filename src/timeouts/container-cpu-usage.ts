import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AgentConfig } from '../config/agent-config';
import { CgroupCpuReader } from './cgroup-cpu-reader';
import type { CpuReading } from './cpu-reading';
import { DockerStatsCpuReader } from './docker-stats-cpu-reader';
import { isLocalEngine } from './local-engine';

/**
 * Chooses how to read a container's CPU: its cgroup when the engine is local (a file read, no dockerd work), else
 * Docker's one-shot stats. A container once read through its cgroup whose cgroup then vanishes has ended.
 */
@Injectable()
export class ContainerCpuUsage {
  private readonly local: boolean;
  private readonly seenInCgroup = new Set<string>();
  private readonly reportedFallback = new Set<string>();

  constructor(
    config: AgentConfig,
    private readonly cgroup: CgroupCpuReader,
    private readonly dockerStats: DockerStatsCpuReader,
    @InjectPinoLogger(ContainerCpuUsage.name) private readonly logger: PinoLogger,
  ) {
    this.local = isLocalEngine(config.dockerHost);
  }

  async read(containerId: string): Promise<CpuReading> {
    if (this.local) {
      const seconds = await this.cgroup.read(containerId);
      if (seconds !== undefined) {
        this.seenInCgroup.add(containerId);
        const processLimitHits = await this.cgroup.readProcessLimitHits(containerId);
        return { kind: 'usage', cpuSeconds: seconds, source: 'cgroup', ...(processLimitHits > 0 ? { processLimitHits } : {}) };
      }
      if (this.seenInCgroup.has(containerId)) return { kind: 'gone' };
      this.reportFallback(containerId);
    }
    const seconds = await this.dockerStats.read(containerId);
    return seconds === undefined ? { kind: 'gone' } : { kind: 'usage', cpuSeconds: seconds, source: 'docker-stats' };
  }

  /** Drops what is remembered about a container no longer watched. */
  forget(containerId: string): void {
    this.seenInCgroup.delete(containerId);
    this.reportedFallback.delete(containerId);
  }

  private reportFallback(containerId: string): void {
    if (this.reportedFallback.has(containerId)) return;
    this.reportedFallback.add(containerId);
    this.logger.info({ containerId }, 'cgroup not readable, reading CPU through Docker stats');
  }
}
