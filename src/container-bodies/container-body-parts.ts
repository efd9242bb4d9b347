import type { ContainerCreateBody } from '../docker/docker.types';
import type { ImageGeneration } from '../environments/grading-environment';

/** Pieces shared by the grading and the student container bodies, as the INGInious agent writes them. */

/** Stdin open and attached, no TTY: the framed msgpack conversation runs over the attach stream. */
export const ATTACHED_STDIO = {
  Tty: false,
  OpenStdin: true,
  StdinOnce: true,
  AttachStdin: true,
  AttachStdout: true,
  AttachStderr: true,
} as const;

/** `host:target:options` — generation 4 relabels for SELinux (`Z`), generation 3 says `rw`/`ro`. */
export function bindMount(generation: ImageGeneration, host: string, target: string, readOnly = false): string {
  const options = generation === 4 ? [readOnly ? 'ro' : '', 'Z'] : [readOnly ? 'ro' : 'rw'];
  return `${host}:${target}:${options.filter(Boolean).join(',')}`;
}

/** Memory = swap limit; on cgroup v1 no swapping and no in-kernel OOM kill (the container stalls, Docker says `oom`). */
export function memoryLimits(memoryMiB: number, cgroupV1: boolean): Pick<
  ContainerCreateBody['HostConfig'],
  'Memory' | 'MemorySwap' | 'MemorySwappiness' | 'OomKillDisable'
> {
  const bytes = memoryMiB * 1024 * 1024;
  return { Memory: bytes, MemorySwap: bytes, ...(cgroupV1 ? { MemorySwappiness: 0, OomKillDisable: true } : {}) };
}

/** Container TCP port → external host port, as ExposedPorts and PortBindings (empty when there is none). */
export function publishedPorts(ports: ReadonlyMap<number, number>): {
  exposed: Pick<ContainerCreateBody, 'ExposedPorts'>;
  bindings: Pick<ContainerCreateBody['HostConfig'], 'PortBindings'>;
} {
  if (ports.size === 0) return { exposed: {}, bindings: {} };
  const entries = [...ports.entries()];
  return {
    exposed: { ExposedPorts: Object.fromEntries(entries.map(([port]) => [`${port}/tcp`, {}])) },
    bindings: { PortBindings: Object.fromEntries(entries.map(([port, host]) => [`${port}/tcp`, [{ HostPort: String(host) }]])) },
  };
}
