import { PinoLogger } from 'nestjs-pino';
import { describe, expect, it } from 'vitest';
import type { AgentConfig } from '../config/agent-config';
import type { CgroupCpuReader } from './cgroup-cpu-reader';
import { ContainerCpuUsage } from './container-cpu-usage';
import { isLocalEngine } from './local-engine';
import type { DockerStatsCpuReader } from './docker-stats-cpu-reader';

function usageWith(
  dockerHost: string | undefined,
  cgroupValues: Map<string, number>,
  statsValues: Map<string, number>,
  processLimitHits = new Map<string, number>(),
) {
  const calls: string[] = [];
  const cgroup = {
    read: async (id: string) => {
      calls.push(`cgroup:${id}`);
      return cgroupValues.get(id);
    },
    readProcessLimitHits: async (id: string) => processLimitHits.get(id) ?? 0,
  } as CgroupCpuReader;
  const stats = {
    read: async (id: string) => {
      calls.push(`stats:${id}`);
      return statsValues.get(id);
    },
  } as DockerStatsCpuReader;
  const logger = new PinoLogger({ pinoHttp: { level: 'silent' } });
  return { usage: new ContainerCpuUsage({ dockerHost } as AgentConfig, cgroup, stats, logger), calls };
}

describe('isLocalEngine', () => {
  it('is true without DOCKER_HOST or with a unix socket, false for tcp and ssh', () => {
    expect(isLocalEngine(undefined)).toBe(true);
    expect(isLocalEngine('unix:///var/run/docker.sock')).toBe(true);
    expect(isLocalEngine('tcp://10.0.0.2:2376')).toBe(false);
    expect(isLocalEngine('ssh://user@host')).toBe(false);
  });
});

describe('ContainerCpuUsage', () => {
  it('reads a local engine container through its cgroup, without asking Docker', async () => {
    const { usage, calls } = usageWith(undefined, new Map([['a', 1.5]]), new Map([['a', 9]]));
    expect(await usage.read('a')).toEqual({ kind: 'usage', cpuSeconds: 1.5, source: 'cgroup' });
    expect(calls).toEqual(['cgroup:a']);
  });

  it('reports forks refused at the pids limit, read from the same cgroup', async () => {
    const { usage } = usageWith(undefined, new Map([['a', 1.5]]), new Map(), new Map([['a', 3]]));
    expect(await usage.read('a')).toEqual({ kind: 'usage', cpuSeconds: 1.5, source: 'cgroup', processLimitHits: 3 });
  });

  it('falls back to Docker stats for a container whose cgroup was never found', async () => {
    const { usage, calls } = usageWith('unix:///run/docker.sock', new Map(), new Map([['a', 0.7]]));
    expect(await usage.read('a')).toEqual({ kind: 'usage', cpuSeconds: 0.7, source: 'docker-stats' });
    expect(calls).toEqual(['cgroup:a', 'stats:a']);
  });

  it('takes a vanished cgroup as the container gone, without asking Docker', async () => {
    const cgroup = new Map([['a', 1]]);
    const { usage, calls } = usageWith(undefined, cgroup, new Map([['a', 1]]));
    await usage.read('a');
    cgroup.delete('a');
    expect(await usage.read('a')).toEqual({ kind: 'gone' });
    expect(calls).toEqual(['cgroup:a', 'cgroup:a']);
  });

  it('asks Docker again after forget, as for a new container', async () => {
    const cgroup = new Map([['a', 1]]);
    const { usage } = usageWith(undefined, cgroup, new Map([['a', 0.2]]));
    await usage.read('a');
    usage.forget('a');
    cgroup.delete('a');
    expect(await usage.read('a')).toEqual({ kind: 'usage', cpuSeconds: 0.2, source: 'docker-stats' });
  });

  it('uses only Docker stats with a remote engine', async () => {
    const { usage, calls } = usageWith('tcp://10.0.0.2:2376', new Map([['a', 1]]), new Map([['a', 2]]));
    expect(await usage.read('a')).toEqual({ kind: 'usage', cpuSeconds: 2, source: 'docker-stats' });
    expect(calls).toEqual(['stats:a']);
  });

  it('reports gone when Docker says the container is not running', async () => {
    const { usage } = usageWith('tcp://10.0.0.2:2376', new Map(), new Map());
    expect(await usage.read('a')).toEqual({ kind: 'gone' });
  });
});
