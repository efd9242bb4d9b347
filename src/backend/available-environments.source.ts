import type { AvailableEnvironments } from './backend.messages';

/**
 * What AgentHello announces as `available_environments`. The backend link only says it; the grading environments
 * are known outside it, and whoever knows them provides this token.
 */
export abstract class AvailableEnvironmentsSource {
  /** The environments as of now (read again from their source); never rejects for a passing trouble. */
  abstract current(): Promise<AvailableEnvironments>;
}
