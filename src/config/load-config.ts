import { existsSync } from 'node:fs';
import { type AgentConfig, ConfigError, parseAgentConfig } from './agent-config';

/** Reads `.env` (when present; real environment variables win) and validates; on a bad value prints one line and exits 2. */
export function loadConfigOrExit(): AgentConfig {
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return parseAgentConfig(process.env, Boolean(process.stdout.isTTY));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`Invalid configuration: ${error.message}\n`);
    process.exit(2);
  }
}
