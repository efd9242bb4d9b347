import type { PinoLogger } from 'nestjs-pino';
import { describe, expect, it, vi } from 'vitest';
import type { AgentConfig } from '../config/agent-config';
import type { EnvironmentCatalog } from '../environments/environment-catalog.service';
import { AgentHelloComposer } from './agent-hello-composer';
import type { AvailableEnvironments } from './backend.messages';

vi.mock('../environments/environment-catalog.service', () => ({ EnvironmentCatalog: class EnvironmentCatalog {} }));

const config = { friendlyName: 'grader-1', concurrency: 3 } as AgentConfig;
const environments: AvailableEnvironments = {
  docker: { default: { id: 'sha256:abc', title: 'default', created: 1795827586, ports: [], runtime: 'runc', advertised: true } },
};

function composer(catalog: Partial<EnvironmentCatalog>) {
  const logger = { error: vi.fn() };
  return { composer: new AgentHelloComposer(config, catalog as EnvironmentCatalog, logger as unknown as PinoLogger), logger };
}

describe('AgentHelloComposer', () => {
  it('refreshes the catalog, then announces it with the name and the job slots, in the wire key order', async () => {
    const calls: string[] = [];
    const { composer: c } = composer({
      refresh: async () => void calls.push('refresh'),
      announce: () => (calls.push('announce'), environments),
    });
    const hello = await c.compose();
    expect(calls).toEqual(['refresh', 'announce']);
    expect(hello).toEqual({ friendly_name: 'grader-1', available_job_slots: 3, available_environments: environments, '@type': 'AgentHello' });
    expect(Object.keys(hello)).toEqual(['friendly_name', 'available_job_slots', 'available_environments', '@type']);
  });

  it('still says hello with what is known when Docker fails', async () => {
    const { composer: c, logger } = composer({
      refresh: async () => {
        throw new Error('connect ENOENT /var/run/docker.sock');
      },
      announce: () => environments,
    });
    expect((await c.compose()).available_environments).toBe(environments);
    expect(logger.error).toHaveBeenCalledTimes(1);
  });

  it('announces no environments when the catalog knows none', async () => {
    const { composer: c, logger } = composer({
      refresh: async () => {
        throw new Error('docker down');
      },
      announce: () => {
        throw new Error('never refreshed');
      },
    });
    expect((await c.compose()).available_environments).toEqual({});
    expect(logger.error).toHaveBeenCalledTimes(2);
  });
});
