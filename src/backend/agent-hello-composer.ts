import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AgentConfig } from '../config/agent-config';
import { EnvironmentCatalog } from '../environments/environment-catalog.service';
import type { AgentHello, AvailableEnvironments } from './backend.messages';

/** Builds the AgentHello said after every connect. Docker trouble never prevents it: the agent registers with what it knows. */
@Injectable()
export class AgentHelloComposer {
  constructor(
    private readonly config: AgentConfig,
    private readonly catalog: EnvironmentCatalog,
    @InjectPinoLogger(AgentHelloComposer.name) private readonly logger: PinoLogger,
  ) {}

  async compose(): Promise<AgentHello> {
    return {
      friendly_name: this.config.friendlyName,
      available_job_slots: this.config.concurrency,
      available_environments: await this.environments(),
      '@type': 'AgentHello',
    };
  }

  private async environments(): Promise<AvailableEnvironments> {
    try {
      await this.catalog.refresh();
    } catch (error) {
      this.logger.error({ err: error }, 'could not refresh grading environments from Docker: announcing what is known');
    }
    try {
      return this.catalog.announce();
    } catch (error) {
      this.logger.error({ err: error }, 'no grading environments known: announcing none');
      return {};
    }
  }
}
