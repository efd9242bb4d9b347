import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { DockerGateway } from '../docker/docker.gateway';
import { DockerStatsCpuReader, cpuSecondsOfStats } from './docker-stats-cpu-reader';

const stats = (read: string, totalUsage: number) =>
  ({ read, cpu_stats: { cpu_usage: { total_usage: totalUsage } } }) as Docker.ContainerStats;

function readerAnswering(answer: () => Promise<Docker.ContainerStats>) {
  const asked: unknown[] = [];
  const gateway = {
    oneShotStats: (id: string) => {
      asked.push(id);
      return answer();
    },
  } as unknown as DockerGateway;
  return { reader: new DockerStatsCpuReader(gateway), asked };
}

describe('cpuSecondsOfStats', () => {
  it('converts total_usage nanoseconds to seconds', () => {
    expect(cpuSecondsOfStats(stats('2024-05-01T10:00:00.123Z', 2_250_000_000))).toBe(2.25);
  });

  it('treats the zero-dated answer for a stopped container as gone', () => {
    expect(cpuSecondsOfStats(stats('0001-01-01T00:00:00Z', 0))).toBeUndefined();
  });
});

describe('DockerStatsCpuReader', () => {
  it('asks for the container\'s one-shot stats', async () => {
    const { reader, asked } = readerAnswering(async () => stats('2024-05-01T10:00:00Z', 1e9));
    expect(await reader.read('abc')).toBe(1);
    expect(asked).toEqual(['abc']);
  });

  it('answers undefined for a container Docker does not know', async () => {
    const { reader } = readerAnswering(() => Promise.reject(Object.assign(new Error('no such container'), { statusCode: 404 })));
    expect(await reader.read('abc')).toBeUndefined();
  });

  it('rejects on other errors', async () => {
    const { reader } = readerAnswering(() => Promise.reject(Object.assign(new Error('server error'), { statusCode: 500 })));
    await expect(reader.read('abc')).rejects.toThrow('server error');
  });
});
