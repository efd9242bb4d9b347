import { Injectable } from '@nestjs/common';
import type { AvailableEnvironments } from '../backend/backend.messages';
import type { GradingEnvironment } from './grading-environment';

// PLACEHOLDER signatures — being implemented by the environments helper.
@Injectable()
export class EnvironmentCatalog {
  /** Re-reads images and runtimes from Docker. */
  async refresh(): Promise<void> {
    throw new Error('not implemented yet');
  }

  /** `available_environments` for AgentHello (wire.md §1). */
  announce(): AvailableEnvironments {
    throw new Error('not implemented yet');
  }

  find(_envtype: string, _name: string): GradingEnvironment | undefined {
    throw new Error('not implemented yet');
  }
}
