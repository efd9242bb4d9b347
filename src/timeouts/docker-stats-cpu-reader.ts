import { Injectable } from '@nestjs/common';
import type { ContainerStats } from 'dockerode';
import { DockerGateway } from '../docker/docker.gateway';

/** Reads a container's CPU seconds with Docker's one-shot stats request: works with a remote engine, costs dockerd more. */
@Injectable()
export class DockerStatsCpuReader {
  constructor(private readonly gateway: DockerGateway) {}

  /** CPU seconds, or undefined when the container is gone or not running. */
  async read(containerId: string): Promise<number | undefined> {
    try {
      const stats = await this.gateway.oneShotStats(containerId);
      return cpuSecondsOfStats(stats);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }
}

/** Docker answers a stopped container with zeroed stats dated 0001-01-01. */
export function cpuSecondsOfStats(stats: Pick<ContainerStats, 'read' | 'cpu_stats'>): number | undefined {
  if (stats.read.startsWith('0001-')) return undefined;
  return stats.cpu_stats.cpu_usage.total_usage / 1e9;
}
