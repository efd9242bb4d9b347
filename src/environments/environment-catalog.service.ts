import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { AvailableEnvironmentsSource } from '../backend/available-environments.source';
import type { AvailableEnvironments } from '../backend/backend.messages';
import { DockerGateway } from '../docker/docker.gateway';
import { RuntimeRegistry } from '../runtimes/runtime-registry.service';
import type { Runtime } from '../runtimes/runtime.types';
import { announceEnvironments } from './environment-announcement';
import { type RejectedImage, selectEnvironments } from './environment-selection';
import type { GradingEnvironment } from './grading-environment';

/**
 * The grading environments this agent offers: Docker's grading images under the runtimes it serves. Read again on
 * every hello (as the backend link's AvailableEnvironmentsSource), which comes before any job.
 */
@Injectable()
export class EnvironmentCatalog implements AvailableEnvironmentsSource {
  private environments: readonly GradingEnvironment[] = [];
  private served: readonly Runtime[] = [];
  private refreshes: Promise<void> = Promise.resolve();
  /** images already warned about, so a refresh repeats no warning */
  private warnedImageIds = new Set<string>();
  private lastSummary: string | undefined;

  constructor(
    private readonly gateway: DockerGateway,
    private readonly registry: RuntimeRegistry,
    @InjectPinoLogger(EnvironmentCatalog.name) private readonly logger: PinoLogger,
  ) {}

  /** Re-reads images and runtimes from Docker. Never throws: on failure the previous catalog stays, and it is logged. */
  refresh(): Promise<void> {
    // one at a time, and each call reads Docker after it was made
    this.refreshes = this.refreshes.then(() => this.reload());
    return this.refreshes;
  }

  /** Refreshed from Docker, then announced; when Docker fails, what was known. */
  async current(): Promise<AvailableEnvironments> {
    await this.refresh();
    return this.announce();
  }

  /** `available_environments` for AgentHello (wire.md §1). */
  announce(): AvailableEnvironments {
    return announceEnvironments(this.environments, this.served);
  }

  find(envtype: string, name: string): GradingEnvironment | undefined {
    return this.environments.find((env) => env.envtype === envtype && env.name === name);
  }

  /** The runtimes served, one per envtype (generation-3 start messages list them all). */
  runtimes(): readonly Runtime[] {
    return this.served;
  }

  private async reload(): Promise<void> {
    try {
      const [runtimes, images] = await Promise.all([this.registry.resolve(), this.gateway.listGradingImages()]);
      const { environments, rejected } = selectEnvironments(images, runtimes);
      this.warnOnce(rejected);
      this.served = runtimes;
      this.environments = environments;
      this.logIfChanged(environments);
    } catch (error) {
      this.logger.error({ err: error }, 'grading environments could not be refreshed; keeping the previous ones');
    }
  }

  private logIfChanged(environments: readonly GradingEnvironment[]): void {
    const summary = environments.map((e) => `${e.envtype}/${e.name}=${e.imageId}`);
    const key = summary.join(' ');
    if (key === this.lastSummary) return;
    this.lastSummary = key;
    this.logger.info({ environments: summary }, 'grading environments');
  }

  private warnOnce(rejected: readonly RejectedImage[]): void {
    const warned = new Set<string>();
    for (const image of rejected) {
      warned.add(image.imageId);
      if (!this.warnedImageIds.has(image.imageId)) this.logger.warn(image, 'grading image skipped');
    }
    this.warnedImageIds = warned;
  }
}
