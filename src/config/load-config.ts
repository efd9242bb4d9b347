import { existsSync } from 'node:fs';
import { type AgentConfig, ConfigError, parseAgentConfig } from './agent-config';
import { readCommandLine, USAGE_EXIT_CODE } from './command-line';

/**
 * Reads the command line (the Python agent's options), then `.env` (when present; real environment variables win),
 * and validates, an option winning over its variable. `--help` prints and exits 0; a refused command line or a bad
 * value prints one line and exits 2.
 */
export function loadConfigOrExit(argv: readonly string[] = process.argv.slice(2)): AgentConfig {
  const commandLine = readCommandLine(argv);
  if (commandLine.kind === 'exit') {
    process.stdout.write(commandLine.stdout);
    process.stderr.write(commandLine.stderr);
    process.exit(commandLine.code);
  }
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return parseAgentConfig({ ...process.env, ...commandLine.env }, Boolean(process.stdout.isTTY), commandLine.origins);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`Invalid configuration: ${error.message}\n`);
    process.exit(USAGE_EXIT_CODE);
  }
}
