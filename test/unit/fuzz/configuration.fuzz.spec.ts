import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AgentConfig, ConfigError, parseAgentConfig } from '../../../src/config/agent-config';
import { agentEnvSchema } from '../../../src/config/agent-config.schema';
import { FUZZ_RUNS, hostileText } from './fuzz-settings';

const VARIABLES = Object.keys(agentEnvSchema.shape);

/** Plausible values (numbers, ranges, lists, flags) mixed with anything at all. */
const settingValue = fc.oneof(
  fc.nat().map(String),
  fc.integer().map(String),
  fc.tuple(fc.nat({ max: 70_000 }), fc.nat({ max: 70_000 })).map(([a, b]) => `${a}-${b}`),
  fc.constantFrom('true', 'false', 'yes', '0', 'tcp://127.0.0.1:2001', 'runc:docker', 'kata-runtime:kata:root', 'info', 'json'),
  fc.string(),
  hostileText,
);

describe('configuration values, fuzzed', () => {
  it('any environment: a configuration or one ConfigError line of bounded length, nothing else', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...VARIABLES), settingValue, { maxKeys: VARIABLES.length }), (env) => {
        try {
          expect(parseAgentConfig(env)).toBeInstanceOf(AgentConfig);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          const message = (error as ConfigError).message;
          expect(message).not.toContain('\n');
          // per variable: its name, a cut value and what is expected
          expect(message.length).toBeLessThan(VARIABLES.length * 700);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
