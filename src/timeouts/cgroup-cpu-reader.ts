import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { DockerGateway } from '../docker/docker.gateway';
import { type CgroupCpuLayout, cgroupCpuLayouts, parsePidsEvents } from './cgroup-cpu-layout';
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

  /** Forks refused at the container's pids limit so far (0 when that is not readable here). */
  async readProcessLimitHits(containerId: string): Promise<number> {
    if (!this.layout) return 0;
    const text = await this.readFile(this.layout.pidsEventsPathOf(containerId));
    return text === undefined ? 0 : parsePidsEvents(text);
  }

  private async readWith(layout: CgroupCpuLayout, containerId: string): Promise<number | undefined> {
    const text = await this.readFile(layout.pathOf(containerId));
    return text === undefined ? undefined : layout.parse(text);
  }

  private async readFile(path: string): Promise<string | undefined> {
    try {
      return await this.files.read(path);
    } catch (error) {
      if (UNREADABLE.has((error as NodeJS.ErrnoException).code ?? '')) return undefined;
      throw error;
    }
  }

  private layoutCandidates(): Promise<CgroupCpuLayout[]> {
    this.candidates ??= this.gateway.engineInfo().then(cgroupCpuLayouts, (error: unknown) => {
      this.candidates = undefined;
      throw error;
    });
    return this.candidates;
  }
}
