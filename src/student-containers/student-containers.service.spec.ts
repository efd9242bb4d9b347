import type { PinoLogger } from 'nestjs-pino';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { BackendNewJob } from '../backend/backend.messages';
import { parseAgentConfig } from '../config/agent-config';
import type { DockerEvents } from '../docker/docker-events.service';
import type { DockerGateway } from '../docker/docker.gateway';
import type { ContainerEvent } from '../docker/docker.types';
import type { EnvironmentCatalog } from '../environments/environment-catalog.service';
import type { SocketClaims } from '../job-files/socket-claims';
import type { EngineFacts } from '../docker/engine-facts';
import { JobHooks } from '../jobs/job-hooks';
import type { JobsService } from '../jobs/jobs.service';
import { RunningJob } from '../jobs/running-job';
import { PortPool } from '../ports/port-pool';
import type { ContainerStorageQuota } from '../timeouts/container-storage-quota';
import type { DiskLimitsService } from '../timeouts/disk-limits.service';
import type { TimeoutsService } from '../timeouts/timeouts.service';
import { StudentContainer } from './student-container';
import { StudentContainersRegistry } from './student-containers.registry';
import { StudentContainersService } from './student-containers.service';
import { StudentSlots } from './student-slots';

const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn(), debug: vi.fn() } as unknown as PinoLogger;
const config = parseAgentConfig({ AGENT_BACKEND_ADDR: 'tcp://127.0.0.1:1', AGENT_ID: 'unit' });
const runc = { dockerRuntime: 'runc', envtype: 'docker', runAsRoot: false, sharedKernel: true, gpu: false };

/** Student containers whose Docker fails or forgets them: the grading container is answered all the same. */
describe('StudentContainersService when Docker fails or loses the container', () => {
  let docker: { kill: ReturnType<typeof vi.fn>; inspect: ReturnType<typeof vi.fn>; remove: ReturnType<typeof vi.fn>; diedOfMemory: ReturnType<typeof vi.fn> };
  let registry: StudentContainersRegistry;
  let service: StudentContainersService;
  let emit: (event: ContainerEvent) => void;
  let sentToGrading: Record<string, unknown>[];
  let container: StudentContainer;

  beforeEach(() => {
    docker = {
      kill: vi.fn(async () => undefined),
      inspect: vi.fn(async () => undefined),
      remove: vi.fn(async () => undefined),
      diedOfMemory: vi.fn(async () => false),
    };
    registry = new StudentContainersRegistry();
    const events = { subscribe: (listener: (e: ContainerEvent) => void) => void (emit = listener) } as unknown as DockerEvents;
    service = new StudentContainersService(
      logger, config, docker as unknown as DockerGateway, events, {} as EnvironmentCatalog, new PortPool(config),
      { unwatch: vi.fn() } as unknown as TimeoutsService, { removePart: vi.fn() } as unknown as DiskLimitsService,
      {} as ContainerStorageQuota, new StudentSlots(4), new JobHooks(), {} as JobsService, {} as EngineFacts, registry,
      { release: vi.fn(async () => undefined) } as unknown as SocketClaims,
    );
    service.onModuleInit();
    sentToGrading = [];
    const job = new RunningJob({ job_id: 'j1', inputdata: {} } as unknown as BackendNewJob);
    job.link = { send: (message: Record<string, unknown>) => sentToGrading.push(message) } as unknown as RunningJob['link'];
    container = new StudentContainer('s1', job, 'sock1', runc);
    registry.add(container);
  });

  const settle = () => new Promise((r) => setTimeout(r, 10));

  it('a vanished container Docker no longer knows → retval 254, once, and forgotten', async () => {
    await service.containerVanished('s1');
    await service.containerVanished('s1');
    expect(sentToGrading).toEqual([{ type: 'run_student_retval', retval: 254, socket_id: 'sock1' }]);
    expect(registry.get('s1')).toBeUndefined();
  });

  it('a vanished container Docker still lists as exited → its exit code', async () => {
    docker.inspect.mockResolvedValue({ id: 's1', running: false, exitCode: 3, oomKilled: false, pid: 0, ports: {} });
    await service.containerVanished('s1');
    expect(sentToGrading).toEqual([{ type: 'run_student_retval', retval: 3, socket_id: 'sock1' }]);
  });

  it.each([
    ['kill misses its deadline', () => docker.kill.mockRejectedValue(new Error('Docker did not answer "kill" within 30000 ms'))],
    ['inspect fails after the kill', () => docker.inspect.mockRejectedValue(new Error('inspect refused'))],
  ])('memory limit, then %s → retval 252 all the same', async (_, fail) => {
    fail();
    emit({ kind: 'oom', containerId: 's1', timeNano: 0n });
    await settle();
    expect(sentToGrading).toEqual([{ type: 'run_student_retval', retval: 252, socket_id: 'sock1' }]);
    expect(docker.remove).toHaveBeenCalledWith('s1');
  });
});
