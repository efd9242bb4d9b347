import { describe, expect, it } from 'vitest';
import type { RuntimeSetting } from '../config/agent-config.schema';
import { KataRuntimeDetector } from './kata/kata-runtime.module';
import { NvidiaRuntimeDetector } from './nvidia/nvidia-runtime.module';
import { RuncRuntimeDetector } from './runc/runc-runtime.module';
import { detectRuntimes, runtimesFromSettings } from './runtime-detection';
import type { RuntimeDetector } from './runtime.types';

const builtIn: RuntimeDetector[] = [new RuncRuntimeDetector(), new KataRuntimeDetector(), new NvidiaRuntimeDetector()];
const docker = { envtype: 'docker', runAsRoot: false, sharedKernel: true, gpu: false };

describe('detectRuntimes', () => {
  it('picks runc over io.containerd.runc.v2 on this host (Docker lists the shim first) and ignores the v1 shim', () => {
    const detection = detectRuntimes(['io.containerd.runc.v2', 'io.containerd.runtime.v1.linux', 'runc'], builtIn);
    expect(detection.runtimes).toEqual([{ dockerRuntime: 'runc', ...docker }]);
    expect(detection.displaced).toEqual([{ dockerRuntime: 'io.containerd.runc.v2', envtype: 'docker', keptDockerRuntime: 'runc' }]);
    expect(detection.unrecognised).toEqual(['io.containerd.runtime.v1.linux']);
  });

  it('uses io.containerd.runc.v2 when it is the only runc', () => {
    expect(detectRuntimes(['io.containerd.runc.v2'], builtIn).runtimes).toEqual([{ dockerRuntime: 'io.containerd.runc.v2', ...docker }]);
  });

  it('serves docker with crun when there is no runc, and prefers runc when both exist', () => {
    expect(detectRuntimes(['crun'], builtIn).runtimes).toEqual([{ dockerRuntime: 'crun', ...docker }]);
    expect(detectRuntimes(['crun', 'runc'], builtIn).runtimes.map((r) => r.dockerRuntime)).toEqual(['runc']);
  });

  it('detects kata as a root runtime with its own kernel', () => {
    expect(detectRuntimes(['kata-runtime'], builtIn).runtimes).toEqual([
      { dockerRuntime: 'kata-runtime', envtype: 'kata', runAsRoot: true, sharedKernel: false, gpu: false },
    ]);
  });

  it('keeps one kata runtime when several are installed, preferring kata-runtime', () => {
    const detection = detectRuntimes(['io.containerd.kata.v2', 'kata-qemu', 'kata-runtime'], builtIn);
    expect(detection.runtimes.map((r) => r.dockerRuntime)).toEqual(['kata-runtime']);
    expect(detection.displaced).toHaveLength(2);
  });

  it('keeps the first one Docker lists when preferences tie', () => {
    expect(detectRuntimes(['kata-fc', 'kata-qemu'], builtIn).runtimes.map((r) => r.dockerRuntime)).toEqual(['kata-fc']);
  });

  it('detects nvidia as a GPU runtime sharing the kernel', () => {
    expect(detectRuntimes(['nvidia'], builtIn).runtimes).toEqual([
      { dockerRuntime: 'nvidia', envtype: 'nvidia', runAsRoot: false, sharedKernel: true, gpu: true },
    ]);
  });

  it('gives one runtime per envtype, in the order Docker first listed each envtype', () => {
    const detection = detectRuntimes(['io.containerd.runc.v2', 'kata-runtime', 'nvidia', 'runc', 'runsc'], builtIn);
    expect(detection.runtimes.map((r) => [r.envtype, r.dockerRuntime])).toEqual([
      ['docker', 'runc'],
      ['kata', 'kata-runtime'],
      ['nvidia', 'nvidia'],
    ]);
    expect(detection.unrecognised).toEqual(['runsc']);
  });

  it('settles two detectors claiming the same envtype by preference', () => {
    const rival: RuntimeDetector = {
      detect: (name) =>
        name === 'youki' ? { preference: -1, runtime: { dockerRuntime: 'youki', ...docker } } : undefined,
    };
    const detection = detectRuntimes(['runc', 'youki'], [...builtIn, rival]);
    expect(detection.runtimes).toEqual([{ dockerRuntime: 'youki', ...docker }]);
    expect(detection.displaced).toEqual([{ dockerRuntime: 'runc', envtype: 'docker', keptDockerRuntime: 'youki' }]);
  });

  it('finds nothing without detectors or runtimes', () => {
    expect(detectRuntimes(['runc'], []).runtimes).toEqual([]);
    expect(detectRuntimes([], builtIn).runtimes).toEqual([]);
  });
});

describe('runtimesFromSettings', () => {
  it('uses the configured runtimes exactly, flags included', () => {
    const settings: RuntimeSetting[] = [
      { runtime: 'runsc', envtype: 'gvisor', runAsRoot: false, sharedKernel: false, gpu: false },
      { runtime: 'nvidia', envtype: 'gpu', runAsRoot: true, sharedKernel: true, gpu: true },
    ];
    expect(runtimesFromSettings(settings)).toEqual([
      { dockerRuntime: 'runsc', envtype: 'gvisor', runAsRoot: false, sharedKernel: false, gpu: false },
      { dockerRuntime: 'nvidia', envtype: 'gpu', runAsRoot: true, sharedKernel: true, gpu: true },
    ]);
  });
});
