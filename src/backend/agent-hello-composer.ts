import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AgentConfig } from '../config/agent-config';
import { AvailableEnvironmentsSource } from './available-environments.source';
import type { AgentHello, AvailableEnvironments } from './backend.messages';

/** Builds the AgentHello said after every connect. Trouble never prevents it: the agent registers with what it knows. */
@Injectable()
export class AgentHelloComposer {
  constructor(
    private readonly config: AgentConfig,
    private readonly environments: AvailableEnvironmentsSource,
    @InjectPinoLogger(AgentHelloComposer.name) private readonly logger: PinoLogger,
  ) {}

  async compose(): Promise<AgentHello> {
    return {
      friendly_name: this.config.friendlyName,
      available_job_slots: this.config.concurrency,
      available_environments: await this.availableEnvironments(),
      '@type': 'AgentHello',
    };
  }

  private async availableEnvironments(): Promise<AvailableEnvironments> {
    try {
      return await this.environments.current();
    } catch (error) {
      this.logger.error({ err: error }, 'no grading environments known: announcing none');
      return {};
    }
  }
}
