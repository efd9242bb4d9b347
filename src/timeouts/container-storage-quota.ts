import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { DockerGateway } from '../docker/docker.gateway';
import type { EngineInfo } from '../docker/docker.types';

/** Docker takes `StorageOpt.size` only on overlay2 over xfs (mounted with pquota, which `docker info` does not show). */
export function mayTakeStorageSize(info: Pick<EngineInfo, 'storageDriver' | 'backingFilesystem'>): boolean {
  return info.storageDriver === 'overlay2' && info.backingFilesystem === 'xfs';
}

/**
 * Whether the engine itself caps each container's writable layer (then the container sees "no space left" at its
 * limit and the agent does not walk the layer). Found once at start, and logged: which method enforces the disk limit.
 */
@Injectable()
export class ContainerStorageQuota implements OnApplicationBootstrap {
  private available?: Promise<boolean>;

  constructor(
    private readonly docker: DockerGateway,
    @InjectPinoLogger(ContainerStorageQuota.name) private readonly logger: PinoLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.isAvailable().catch(() => undefined);
  }

  isAvailable(): Promise<boolean> {
    this.available ??= this.detect().catch((error: unknown) => {
      this.available = undefined; // Docker may come back: ask again
      throw error;
    });
    return this.available;
  }

  /** The `StorageOpt` of a container allowed `diskMiB`, when the engine enforces it. */
  async storageOption(diskMiB: number): Promise<{ size: string } | undefined> {
    return (await this.isAvailable()) ? { size: `${diskMiB}m` } : undefined;
  }

  private async detect(): Promise<boolean> {
    const info = await this.docker.engineInfo();
    const engine = `${info.storageDriver} over ${info.backingFilesystem || 'an unknown file system'}`;
    const image = mayTakeStorageSize(info) ? (await this.docker.listGradingImages())[0]?.id : undefined;
    if (image) {
      try {
        await this.docker.probeStorageSize(image);
        this.logger.info({ engine, method: 'engine' }, 'disk limit: container layers capped by the engine (StorageOpt size), job folders measured');
        return true;
      } catch (error) {
        this.logger.info({ engine, err: error }, 'the engine refused a container layer size');
      }
    }
    this.logger.info({ engine, method: 'measured' }, 'disk limit: job folders and container layers measured by the agent');
    return false;
  }
}
