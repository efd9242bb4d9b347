import { describe, expect, it } from 'vitest';
import { cgroupCpuLayouts, parsePidsEvents } from './cgroup-cpu-layout';

const ID = 'c0ffee';

describe('cgroupCpuLayouts', () => {
  it('probes cgroup v1 with the cgroupfs folder first for the cgroupfs driver', () => {
    const paths = cgroupCpuLayouts({ cgroupVersion: 1, cgroupDriver: 'cgroupfs' }).map((l) => l.pathOf(ID));
    expect(paths).toEqual(['cpuacct/docker/c0ffee/cpuacct.usage', 'cpuacct/system.slice/docker-c0ffee.scope/cpuacct.usage']);
  });

  it('probes cgroup v1 with the systemd scope first for the systemd driver', () => {
    const paths = cgroupCpuLayouts({ cgroupVersion: 1, cgroupDriver: 'systemd' }).map((l) => l.pathOf(ID));
    expect(paths[0]).toBe('cpuacct/system.slice/docker-c0ffee.scope/cpuacct.usage');
  });

  it('probes cgroup v2 cpu.stat, systemd scope or docker folder', () => {
    expect(cgroupCpuLayouts({ cgroupVersion: 2, cgroupDriver: 'systemd' }).map((l) => l.pathOf(ID))).toEqual([
      'system.slice/docker-c0ffee.scope/cpu.stat',
      'docker/c0ffee/cpu.stat',
    ]);
    expect(cgroupCpuLayouts({ cgroupVersion: 2, cgroupDriver: 'cgroupfs' })[0].pathOf(ID)).toBe('docker/c0ffee/cpu.stat');
  });

  it('reads cpuacct.usage as nanoseconds', () => {
    const [v1] = cgroupCpuLayouts({ cgroupVersion: 1, cgroupDriver: 'cgroupfs' });
    expect(v1.parse('2500000000\n')).toBe(2.5);
    expect(() => v1.parse('garbage')).toThrow(/cpuacct.usage/);
  });

  it('reads usage_usec of cpu.stat as microseconds', () => {
    const [v2] = cgroupCpuLayouts({ cgroupVersion: 2, cgroupDriver: 'systemd' });
    expect(v2.parse('usage_usec 1750000\nuser_usec 1000000\nsystem_usec 750000\n')).toBe(1.75);
    expect(() => v2.parse('user_usec 1\n')).toThrow(/usage_usec/);
  });

  it('finds pids.events beside each layout: the pids hierarchy on v1, the same folder on v2', () => {
    const events = (version: 1 | 2, driver: string) =>
      cgroupCpuLayouts({ cgroupVersion: version, cgroupDriver: driver }).map((l) => l.pidsEventsPathOf(ID));
    expect(events(1, 'cgroupfs')).toEqual(['pids/docker/c0ffee/pids.events', 'pids/system.slice/docker-c0ffee.scope/pids.events']);
    expect(events(2, 'systemd')).toEqual(['system.slice/docker-c0ffee.scope/pids.events', 'docker/c0ffee/pids.events']);
  });

  it('reads the max line of pids.events', () => {
    expect(parsePidsEvents('max 7\n')).toBe(7);
    expect(() => parsePidsEvents('')).toThrow(/max/);
  });
});
