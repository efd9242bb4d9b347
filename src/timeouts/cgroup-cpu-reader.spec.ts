import { PinoLogger } from 'nestjs-pino';
import { describe, expect, it } from 'vitest';
import type { DockerGateway } from '../docker/docker.gateway';
import type { EngineInfo } from '../docker/docker.types';
import { CgroupCpuReader } from './cgroup-cpu-reader';
import type { CgroupFiles } from './cgroup-files';

const errno = (code: string) => Object.assign(new Error(code), { code });

function readerOver(files: Record<string, string | Error>, info: Partial<EngineInfo> = { cgroupVersion: 1, cgroupDriver: 'cgroupfs' }) {
  const opened: string[] = [];
  let engineInfoCalls = 0;
  const fakeFiles = {
    read: async (path: string) => {
      opened.push(path);
      const content = files[path] ?? errno('ENOENT');
      if (content instanceof Error) throw content;
      return content;
    },
  } as CgroupFiles;
  const gateway = {
    engineInfo: async () => {
      engineInfoCalls++;
      return info as EngineInfo;
    },
  } as DockerGateway;
  const reader = new CgroupCpuReader(fakeFiles, gateway, new PinoLogger({ pinoHttp: { level: 'silent' } }));
  return { reader, opened, engineInfoCalls: () => engineInfoCalls };
}

describe('CgroupCpuReader', () => {
  it('reads the layout matching the engine', async () => {
    const { reader, opened } = readerOver({ 'cpuacct/docker/a/cpuacct.usage': '1500000000' });
    expect(await reader.read('a')).toBe(1.5);
    expect(opened).toEqual(['cpuacct/docker/a/cpuacct.usage']);
  });

  it('finds the other driver layout when the reported one has no file, and keeps it for every container', async () => {
    const { reader, opened, engineInfoCalls } = readerOver({
      'cpuacct/system.slice/docker-a.scope/cpuacct.usage': '1000000000',
      'cpuacct/system.slice/docker-b.scope/cpuacct.usage': '2000000000',
    });
    expect(await reader.read('a')).toBe(1);
    expect(await reader.read('b')).toBe(2);
    expect(opened).toEqual([
      'cpuacct/docker/a/cpuacct.usage',
      'cpuacct/system.slice/docker-a.scope/cpuacct.usage',
      'cpuacct/system.slice/docker-b.scope/cpuacct.usage',
    ]);
    expect(engineInfoCalls()).toBe(1);
  });

  it('reads cgroup v2 cpu.stat', async () => {
    const { reader } = readerOver({ 'system.slice/docker-a.scope/cpu.stat': 'usage_usec 300000\n' }, { cgroupVersion: 2, cgroupDriver: 'systemd' });
    expect(await reader.read('a')).toBe(0.3);
  });

  it('answers undefined when no layout has the container, or the file cannot be opened', async () => {
    expect(await readerOver({}).reader.read('a')).toBeUndefined();
    expect(await readerOver({ 'cpuacct/docker/a/cpuacct.usage': errno('EACCES') }).reader.read('a')).toBeUndefined();
  });

  it('rejects on other read errors', async () => {
    await expect(readerOver({ 'cpuacct/docker/a/cpuacct.usage': errno('EIO') }).reader.read('a')).rejects.toThrow('EIO');
  });

  it('asks the engine again after a failed engine info', async () => {
    let calls = 0;
    const gateway = {
      engineInfo: async () => {
        if (++calls === 1) throw new Error('docker down');
        return { cgroupVersion: 1, cgroupDriver: 'cgroupfs' } as EngineInfo;
      },
    } as DockerGateway;
    const files = { read: async () => '1000000000' } as unknown as CgroupFiles;
    const reader = new CgroupCpuReader(files, gateway, new PinoLogger({ pinoHttp: { level: 'silent' } }));
    await expect(reader.read('a')).rejects.toThrow('docker down');
    expect(await reader.read('a')).toBe(1);
  });
});
