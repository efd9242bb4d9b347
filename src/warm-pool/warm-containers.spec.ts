import { PassThrough } from 'node:stream';
import type { PinoLogger } from 'nestjs-pino';
import { describe, expect, it, vi } from 'vitest';
import type { AgentConfig } from '../config/agent-config';
import type { DockerGateway } from '../docker/docker.gateway';
import type { EngineFacts } from '../docker/engine-facts';
import type { GradingEnvironment } from '../environments/grading-environment';
import { jobFolderLayout } from '../job-files/job-folder-layout';
import type { JobFolders } from '../job-files/job-folders';
import type { TimeoutsService } from '../timeouts/timeouts.service';
import type { WarmContainer } from './warm-container';
import { WarmContainers } from './warm-containers';

const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() } as unknown as PinoLogger;
const environment = { envtype: 'docker', name: 'a', imageId: 'sha256:a' } as GradingEnvironment;

function warmContainers(running = true) {
  const docker = { inspect: vi.fn(async () => ({ running })), updateMemory: vi.fn(async () => undefined) };
  const folders = { fillCreated: vi.fn(async () => undefined) };
  const timeouts = { cpuUsedSeconds: vi.fn(async () => 0.3) };
  const containers = new WarmContainers(
    logger,
    {} as AgentConfig,
    docker as unknown as DockerGateway,
    {} as EngineFacts,
    folders as unknown as JobFolders,
    timeouts as unknown as TimeoutsService,
  );
  return { containers, docker, folders };
}

const warm = (memoryMiB: number): WarmContainer => ({
  id: 'w1',
  key: 'k',
  spec: { environment, network: false },
  folder: jobFolderLayout('/w/w1'),
  stream: new PassThrough(),
  memoryMiB,
  madeAtMs: 0,
});
const request = (memoryMiB: number) => ({ jobId: 'j', environment, network: false, memoryMiB, location: undefined });

describe('WarmContainers.handOver', () => {
  it('a job asking the memory the container was made with: no update, files in, idle CPU told', async () => {
    const { containers, docker, folders } = warmContainers();
    const taken = await containers.handOver(warm(100), request(100));
    expect(docker.updateMemory).not.toHaveBeenCalled();
    expect(folders.fillCreated).toHaveBeenCalledTimes(1);
    expect(taken).toMatchObject({ containerId: 'w1', cpuUsedSeconds: 0.3 });
  });

  it('a job asking another memory limit: the container is updated to it', async () => {
    const { containers, docker } = warmContainers();
    await containers.handOver(warm(100), request(50));
    expect(docker.updateMemory).toHaveBeenCalledWith('w1', 50);
  });

  it('a container that is not running any more is refused', async () => {
    const { containers } = warmContainers(false);
    await expect(containers.handOver(warm(100), request(100))).rejects.toThrow('it is not running');
  });
});
