import { Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AgentConfig } from '../config/agent-config';
import { DockerGateway } from '../docker/docker.gateway';
import { detectRuntimes, runtimesFromSettings } from './runtime-detection';
import { RuntimeDetectorProvider } from './runtime-detector.decorator';
import type { Runtime, RuntimeDetector } from './runtime.types';
import { withSshEnvtypes } from './ssh-envtypes';

/**
 * The runtimes this agent serves: AGENT_RUNTIMES when set, otherwise detected from Docker by the runtime modules; with
 * SSH allowed, the shared-kernel ones also under `<envtype>-ssh`.
 */
@Injectable()
export class RuntimeRegistry {
  private lastLogged = '';

  constructor(
    private readonly config: AgentConfig,
    private readonly gateway: DockerGateway,
    private readonly discovery: DiscoveryService,
    @InjectPinoLogger(RuntimeRegistry.name) private readonly logger: PinoLogger,
  ) {}

  /** One runtime per envtype. Detection asks Docker each time, so a runtime added to dockerd shows up on refresh. */
  async resolve(): Promise<Runtime[]> {
    if (this.config.runtimes) {
      const runtimes = withSshEnvtypes(runtimesFromSettings(this.config.runtimes), this.config.sshAllowed);
      this.logOnChange({ runtimes, source: 'AGENT_RUNTIMES' });
      return runtimes;
    }
    const { runtimes: dockerRuntimes } = await this.gateway.engineInfo();
    const detection = detectRuntimes(dockerRuntimes, this.detectors());
    const runtimes = withSshEnvtypes(detection.runtimes, this.config.sshAllowed);
    this.logOnChange({ ...detection, runtimes, dockerRuntimes, source: 'docker' });
    return runtimes;
  }

  private detectors(): RuntimeDetector[] {
    return this.discovery
      .getProviders({ metadataKey: RuntimeDetectorProvider.KEY })
      .map((wrapper) => wrapper.instance as RuntimeDetector | undefined)
      .filter((detector): detector is RuntimeDetector => typeof detector?.detect === 'function');
  }

  private logOnChange(resolution: { runtimes: Runtime[] } & Record<string, unknown>): void {
    const key = JSON.stringify(resolution);
    if (key === this.lastLogged) return;
    this.lastLogged = key;
    if (resolution.runtimes.length === 0) this.logger.warn(resolution, 'no usable container runtime: no environment can be offered');
    else this.logger.info(resolution, 'container runtimes');
  }
}
