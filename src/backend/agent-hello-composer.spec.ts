import type { PinoLogger } from 'nestjs-pino';
import { describe, expect, it, vi } from 'vitest';
import type { AgentConfig } from '../config/agent-config';
import { AgentHelloComposer } from './agent-hello-composer';
import type { AvailableEnvironmentsSource } from './available-environments.source';
import type { AvailableEnvironments } from './backend.messages';

const config = { friendlyName: 'grader-1', concurrency: 3 } as AgentConfig;
const environments: AvailableEnvironments = {
  docker: { default: { id: 'sha256:abc', title: 'default', created: 1795827586, ports: [], runtime: 'runc', advertised: true } },
};

function composer(current: AvailableEnvironmentsSource['current']) {
  const logger = { error: vi.fn() };
  return { composer: new AgentHelloComposer(config, { current }, logger as unknown as PinoLogger), logger };
}

describe('AgentHelloComposer', () => {
  it('announces the current environments with the name and the job slots, in the wire key order', async () => {
    const { composer: c } = composer(async () => environments);
    const hello = await c.compose();
    expect(hello).toEqual({ friendly_name: 'grader-1', available_job_slots: 3, available_environments: environments, '@type': 'AgentHello' });
    expect(Object.keys(hello)).toEqual(['friendly_name', 'available_job_slots', 'available_environments', '@type']);
  });

  it('announces no environments, and says why, when they cannot be had', async () => {
    const { composer: c, logger } = composer(async () => {
      throw new Error('never refreshed');
    });
    expect((await c.compose()).available_environments).toEqual({});
    expect(logger.error).toHaveBeenCalledTimes(1);
  });
});
