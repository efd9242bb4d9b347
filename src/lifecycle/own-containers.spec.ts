import type { PinoLogger } from 'nestjs-pino';
import { describe, expect, it, vi } from 'vitest';
import type { DockerGateway } from '../docker/docker.gateway';
import { OwnContainers } from './own-containers';

function setUp() {
  const docker = {
    listOwnContainers: vi.fn(async () => [
      { id: 'a', jobId: 'j', role: 'grading', state: 'running' },
      { id: 'b', jobId: undefined, role: undefined, state: 'created' },
    ]),
    remove: vi.fn(async (_id: string) => undefined),
  };
  const logger = { info: vi.fn(), error: vi.fn() };
  return { docker, logger, own: new OwnContainers(logger as unknown as PinoLogger, docker as unknown as DockerGateway) };
}

describe('OwnContainers.removeAll', () => {
  it('removes every container Docker lists as this agent\'s', async () => {
    const t = setUp();
    await t.own.removeAll('test');
    expect(t.docker.remove.mock.calls.map(([id]) => id)).toEqual(['a', 'b']);
  });

  it('never throws: a failed listing or removal is logged and the others still go', async () => {
    const t = setUp();
    t.docker.remove.mockRejectedValueOnce(new Error('busy'));
    await expect(t.own.removeAll('test')).resolves.toBeUndefined();
    expect(t.docker.remove).toHaveBeenCalledTimes(2);
    expect(t.logger.error).toHaveBeenCalledWith(expect.objectContaining({ containerId: 'a' }), expect.any(String));

    t.docker.listOwnContainers.mockRejectedValueOnce(new Error('docker is down'));
    await expect(t.own.removeAll('test')).resolves.toBeUndefined();
    expect(t.logger.error).toHaveBeenCalledTimes(2);
  });
});
