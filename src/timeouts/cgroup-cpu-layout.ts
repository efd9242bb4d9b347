import type { EngineInfo } from '../docker/docker.types';

/**
 * Where a container's CPU usage lives under /sys/fs/cgroup for one cgroup version and driver, and how to read it; also
 * where its process-limit events are (same version and driver).
 */
export interface CgroupCpuLayout {
  name: string;
  /** Relative to the cgroup root. */
  pathOf(containerId: string): string;
  /** CPU seconds from the file's text. */
  parse(text: string): number;
  /** `pids.events`, relative to the cgroup root: how often a fork was refused at the pids limit. */
  pidsEventsPathOf(containerId: string): string;
}

const V1_CGROUPFS: CgroupCpuLayout = {
  name: 'v1-cgroupfs',
  pathOf: (id) => `cpuacct/docker/${id}/cpuacct.usage`,
  parse: parseCpuacctUsage,
  pidsEventsPathOf: (id) => `pids/docker/${id}/pids.events`,
};
const V1_SYSTEMD: CgroupCpuLayout = {
  name: 'v1-systemd',
  pathOf: (id) => `cpuacct/system.slice/docker-${id}.scope/cpuacct.usage`,
  parse: parseCpuacctUsage,
  pidsEventsPathOf: (id) => `pids/system.slice/docker-${id}.scope/pids.events`,
};
const V2_SYSTEMD: CgroupCpuLayout = {
  name: 'v2-systemd',
  pathOf: (id) => `system.slice/docker-${id}.scope/cpu.stat`,
  parse: parseCpuStat,
  pidsEventsPathOf: (id) => `system.slice/docker-${id}.scope/pids.events`,
};
const V2_CGROUPFS: CgroupCpuLayout = {
  name: 'v2-cgroupfs',
  pathOf: (id) => `docker/${id}/cpu.stat`,
  parse: parseCpuStat,
  pidsEventsPathOf: (id) => `docker/${id}/pids.events`,
};

/** The layouts to probe, most likely first: the engine's reported driver, then the other one of the same version. */
export function cgroupCpuLayouts(info: Pick<EngineInfo, 'cgroupVersion' | 'cgroupDriver'>): CgroupCpuLayout[] {
  const [cgroupfs, systemd] = info.cgroupVersion === 2 ? [V2_CGROUPFS, V2_SYSTEMD] : [V1_CGROUPFS, V1_SYSTEMD];
  return info.cgroupDriver === 'systemd' ? [systemd, cgroupfs] : [cgroupfs, systemd];
}

/** cgroup v1 `cpuacct.usage`: nanoseconds. */
function parseCpuacctUsage(text: string): number {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) throw new Error(`unexpected cpuacct.usage content "${trimmed.slice(0, 40)}"`);
  return Number(trimmed) / 1e9;
}

/** cgroup v2 `cpu.stat`: the `usage_usec` line, microseconds. */
function parseCpuStat(text: string): number {
  const match = /^usage_usec (\d+)$/m.exec(text);
  if (!match) throw new Error('cpu.stat has no usage_usec line');
  return Number(match[1]) / 1e6;
}

/** `pids.events`: the `max` line counts forks refused at the limit. */
export function parsePidsEvents(text: string): number {
  const match = /^max (\d+)$/m.exec(text);
  if (!match) throw new Error('pids.events has no max line');
  return Number(match[1]);
}
