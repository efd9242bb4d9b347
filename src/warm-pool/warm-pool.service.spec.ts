import { Duplex } from 'node:stream';
import type { PinoLogger } from 'nestjs-pino';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentConfig } from '../config/agent-config';
import type { DockerEvents } from '../docker/docker-events.service';
import type { ContainerEvent } from '../docker/docker.types';
import type { EnvironmentCatalog } from '../environments/environment-catalog.service';
import type { GradingEnvironment } from '../environments/grading-environment';
import { jobFolderLayout } from '../job-files/job-folder-layout';
import { TaskFilesError } from '../job-files/task-files.error';
import { type WarmContainer, warmKeyOf, type WarmRequest, type WarmSpec } from './warm-container';
import type { WarmContainers } from './warm-containers';
import { WarmPool } from './warm-pool.service';

const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() } as unknown as PinoLogger;

const environment = (name: string, imageId = `sha256:${name}`): GradingEnvironment => ({
  envtype: 'docker',
  name,
  imageId,
  created: 0,
  generation: 4,
  ports: [],
  advertised: true,
  runtime: { dockerRuntime: 'runc', envtype: 'docker', runAsRoot: false, sharedKernel: true, gpu: false },
});

/** Containers made in memory, in order; handing over can be made to fail or to wait. */
class FakeContainers {
  readonly made: WarmContainer[] = [];
  readonly discarded: string[] = [];
  handOverError?: Error;
  handOverGate?: Promise<void>;
  private next = 0;

  make = vi.fn(async (spec: WarmSpec, memoryMiB: number): Promise<WarmContainer> => {
    const id = `w${++this.next}`;
    const warm = { id, key: warmKeyOf(spec), spec, folder: jobFolderLayout(`/w/${id}`), stream: new Duplex(), memoryMiB, madeAtMs: 0 };
    this.made.push(warm);
    return warm;
  });

  handOver = vi.fn(async (warm: WarmContainer) => {
    await this.handOverGate;
    if (this.handOverError) throw this.handOverError;
    return { containerId: warm.id, folder: warm.folder, stream: warm.stream, cpuUsedSeconds: 0.2 };
  });

  discard = vi.fn(async (warm: { id?: string }) => void this.discarded.push(warm.id as string));
}

describe('WarmPool', () => {
  let containers: FakeContainers;
  let catalog: Map<string, GradingEnvironment>;
  let emit: (event: ContainerEvent) => void;
  let pool: WarmPool;
  const settle = () => new Promise((r) => setTimeout(r, 5));
  const request = (env: GradingEnvironment, jobId = 'j', memoryMiB = 100): WarmRequest => ({ jobId, environment: env, network: false, memoryMiB, location: undefined });
  const die = (containerId: string) => emit({ kind: 'die', containerId, exitCode: 137, timeNano: 0n });

  function startPool(size: number): void {
    containers = new FakeContainers();
    catalog = new Map([['a', environment('a')], ['b', environment('b')]]);
    const events = { subscribe: (listener: (e: ContainerEvent) => void) => ((emit = listener), () => undefined) } as unknown as DockerEvents;
    const find = (_envtype: string, name: string) => catalog.get(name);
    pool = new WarmPool(logger, { warmPoolSize: size, concurrency: 2 } as AgentConfig, containers as unknown as WarmContainers, { find } as unknown as EnvironmentCatalog, events);
    pool.onModuleInit();
  }

  /** The next container made waits until the returned function is called. */
  function holdNextMake(): () => void {
    let finish!: () => void;
    containers.make.mockImplementationOnce(async (spec) => {
      await new Promise<void>((r) => (finish = r));
      return containers.make.getMockImplementation()!(spec, 100);
    });
    return () => finish();
  }

  beforeEach(() => startPool(2));

  it('is off at size 0: nothing taken, nothing made', async () => {
    startPool(0);
    expect(await pool.take(request(environment('a')))).toBeUndefined();
    await settle();
    expect(containers.make).not.toHaveBeenCalled();
  });

  it('learns from demand: a miss makes one of its kind, which the next job of that kind takes; each take refills', async () => {
    expect(await pool.take(request(catalog.get('a')!))).toBeUndefined();
    await settle();
    expect(containers.made.map((w) => w.id)).toEqual(['w1']);
    expect(pool.heldIds().has('w1')).toBe(true);

    const taken = await pool.take(request(catalog.get('a')!, 'j2'));
    expect(taken).toMatchObject({ containerId: 'w1', cpuUsedSeconds: 0.2 });
    expect(pool.heldIds().has('w1')).toBe(false);
    await settle();
    expect(containers.made.map((w) => w.id)).toEqual(['w1', 'w2']);
    expect(pool.stats()).toEqual({ idle: 1, hits: 1, misses: 1 });
  });

  it('makes each container with the memory limit of the last job of its kind', async () => {
    await pool.take(request(catalog.get('a')!, 'j1', 300));
    await settle();
    await pool.take(request(catalog.get('a')!, 'j2', 50));
    await settle();
    expect(containers.made.map((w) => w.memoryMiB)).toEqual([300, 50]);
  });

  it('makes containers only while a job slot is free: none at saturation, the wanted ones once a slot frees', async () => {
    pool.jobSlotsInUse(2);
    await pool.take(request(catalog.get('a')!, 'j1'));
    await pool.take(request(catalog.get('b')!, 'j2'));
    await settle();
    expect(containers.make).not.toHaveBeenCalled();
    pool.jobSlotsInUse(3); // an early AgentJobDone lets the backend send a job while the last one is cleaned up
    await settle();
    expect(containers.make).not.toHaveBeenCalled();
    pool.jobSlotsInUse(1);
    await settle();
    expect(containers.made.map((w) => w.spec.environment.name)).toEqual(['b', 'a']);
  });

  it('stops making once the slots fill up, the container under way kept', async () => {
    startPool(3);
    const finishFirst = holdNextMake();
    await pool.take(request(catalog.get('a')!));
    await pool.take(request(catalog.get('b')!));
    await settle();
    pool.jobSlotsInUse(2);
    finishFirst();
    await settle();
    expect(containers.made).toHaveLength(1);
    expect(pool.stats().idle).toBe(1);
  });

  it('never holds more than its size: a kind in more recent use evicts the least recently used one', async () => {
    startPool(1);
    await pool.take(request(catalog.get('a')!));
    await settle();
    await pool.take(request(catalog.get('b')!));
    await settle();
    expect(containers.discarded).toEqual(['w1']);
    expect(containers.made.map((w) => w.spec.environment.name)).toEqual(['a', 'b']);
    expect(pool.stats().idle).toBe(1);
    expect((await pool.take(request(catalog.get('b')!)))?.containerId).toBe('w2');
  });

  it('makes one at a time, the most recently used kinds first', async () => {
    startPool(3);
    const finishFirst = holdNextMake();
    await pool.take(request(catalog.get('a')!));
    await settle();
    await pool.take(request(catalog.get('b')!));
    await pool.take(request(catalog.get('a')!));
    await settle();
    expect(containers.make).toHaveBeenCalledTimes(1);
    finishFirst();
    await settle();
    expect(containers.make.mock.calls.map(([spec]) => spec.environment.name)).toEqual(['a', 'a', 'b']);
  });

  it('a container that dies while idle is removed and replaced once; a job of its kind is not failed by it', async () => {
    await pool.take(request(catalog.get('a')!));
    await settle();
    die('w1');
    await settle();
    expect(containers.discarded).toEqual(['w1']);
    expect(containers.made.map((w) => w.id)).toEqual(['w1', 'w2']);
    die('w2'); // an image that cannot stay idle is not remade forever
    await settle();
    expect(containers.made).toHaveLength(2);
    expect(await pool.take(request(catalog.get('a')!))).toBeUndefined();
  });

  it('any failure handing a container over gives undefined (the cold path) and throws the container away', async () => {
    await pool.take(request(catalog.get('a')!));
    await settle();
    containers.handOverError = new Error('update refused: no such container');
    expect(await pool.take(request(catalog.get('a')!))).toBeUndefined();
    expect(containers.discarded).toEqual(['w1']);
    expect(pool.stats()).toMatchObject({ hits: 0, misses: 2 });
  });

  it('a task whose files cannot be prepared fails its job at once; the untouched container stays, the pool no larger', async () => {
    startPool(1);
    await pool.take(request(catalog.get('a')!));
    await settle();
    containers.handOverError = new TaskFilesError('The task folder "t" does not exist.', true);
    await expect(pool.take(request(catalog.get('a')!))).rejects.toThrow('does not exist');
    await settle();
    // the refill its take asked for was made meanwhile: one of the two is kept
    expect(pool.heldIds().size).toBe(1);
    expect(containers.discarded).toHaveLength(1);
    const [kept] = pool.heldIds();
    containers.handOverError = undefined;
    expect(await pool.take(request(catalog.get('a')!))).toMatchObject({ containerId: kept });
  });

  it('a container that dies while being handed over is not given to the job', async () => {
    await pool.take(request(catalog.get('a')!));
    await settle();
    let open!: () => void;
    containers.handOverGate = new Promise((r) => (open = r));
    const taking = pool.take(request(catalog.get('a')!));
    await settle();
    die('w1');
    open();
    expect(await taking).toBeUndefined();
    expect(containers.discarded).toContain('w1');
  });

  it('drains the containers of an image no longer behind its environment; the new image is a miss, then made', async () => {
    await pool.take(request(catalog.get('a')!));
    await settle();
    catalog.set('a', environment('a', 'sha256:rebuilt'));
    expect(await pool.take(request(catalog.get('a')!))).toBeUndefined();
    expect(containers.discarded).toEqual(['w1']);
    await settle();
    expect(containers.made.at(-1)?.spec.environment.imageId).toBe('sha256:rebuilt');
  });

  it('at shutdown removes every idle container, and one still being made, and makes no more', async () => {
    await pool.take(request(catalog.get('a')!));
    await settle();
    const finishMaking = holdNextMake();
    await pool.take(request(catalog.get('b')!));
    await settle();
    const stopping = pool.onModuleDestroy();
    finishMaking();
    await stopping;
    expect(containers.discarded.sort()).toEqual(['w1', 'w2']);
    expect(await pool.take(request(catalog.get('a')!))).toBeUndefined();
    await settle();
    expect(containers.made).toHaveLength(2);
  });
});
