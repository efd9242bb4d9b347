import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { DockerGateway } from '../docker/docker.gateway';
import { type CgroupCpuLayout, cgroupCpuLayouts } from './cgroup-cpu-layout';
import { CgroupFiles } from './cgroup-files';

/** fs error codes meaning "this cgroup file is not there for us" rather than a broken read. */
const UNREADABLE = new Set(['ENOENT', 'ENODEV', 'ENOTDIR', 'EACCES', 'EPERM']);

/**
 * Reads a container's CPU seconds from its cgroup. The layout (cgroup version × driver) is probed on the first
 * container found and then used for every container: it is a property of the engine.
 */
@Injectable()
export class CgroupCpuReader {
  private candidates?: Promise<CgroupCpuLayout[]>;
  private layout?: CgroupCpuLayout;

  constructor(
    private readonly files: CgroupFiles,
    private readonly gateway: DockerGateway,
    @InjectPinoLogger(CgroupCpuReader.name) private readonly logger: PinoLogger,
  ) {}

  /** CPU seconds, or undefined when the container has no readable cgroup file (not running, or not found here). */
  async read(containerId: string): Promise<number | undefined> {
    if (this.layout) return this.readWith(this.layout, containerId);
    for (const layout of await this.layoutCandidates()) {
      const seconds = await this.readWith(layout, containerId);
      if (seconds !== undefined) {
        this.layout = layout;
        this.logger.info({ layout: layout.name, containerId }, 'cgroup CPU layout found');
        return seconds;
      }
    }
    return undefined;
  }

  private async readWith(layout: CgroupCpuLayout, containerId: string): Promise<number | undefined> {
    let text: string;
    try {
      text = await this.files.read(layout.pathOf(containerId));
    } catch (error) {
      if (UNREADABLE.has((error as NodeJS.ErrnoException).code ?? '')) return undefined;
      throw error;
    }
    return layout.parse(text);
  }

  private layoutCandidates(): Promise<CgroupCpuLayout[]> {
    this.candidates ??= this.gateway.engineInfo().then(cgroupCpuLayouts, (error: unknown) => {
      this.candidates = undefined;
      throw error;
    });
    return this.candidates;
  }
}
