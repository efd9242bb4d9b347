import { describe, expect, it } from 'vitest';
import { KataRuntimeDetector } from '../kata/kata-runtime.module';
import { NvidiaRuntimeDetector } from '../nvidia/nvidia-runtime.module';
import { RuncRuntimeDetector } from '../runc/runc-runtime.module';
import { detectRuntimes } from '../runtime-detection';
import { GvisorRuntimeDetector } from './gvisor-runtime.module';

const detectors = [new RuncRuntimeDetector(), new KataRuntimeDetector(), new NvidiaRuntimeDetector(), new GvisorRuntimeDetector()];

describe('gVisor runtime module', () => {
  it('serves envtype gvisor with its own (user-space) kernel, as root, without GPU', () => {
    expect(new GvisorRuntimeDetector().detect('runsc')).toEqual({
      preference: 0,
      runtime: { dockerRuntime: 'runsc', envtype: 'gvisor', runAsRoot: true, sharedKernel: false, gpu: false },
    });
  });

  it('recognises only runsc names, preferring plain runsc over its variants', () => {
    const detection = detectRuntimes(['io.containerd.runsc.v1', 'runc', 'runsc-kvm', 'runsc', 'kata-runtime'], detectors);
    expect(detection.runtimes.map((r) => [r.envtype, r.dockerRuntime])).toEqual([
      ['gvisor', 'runsc'],
      ['docker', 'runc'],
      ['kata', 'kata-runtime'],
    ]);
    expect(detection.displaced.map((d) => d.dockerRuntime).sort()).toEqual(['io.containerd.runsc.v1', 'runsc-kvm']);
    expect(new GvisorRuntimeDetector().detect('runc')).toBeUndefined();
  });
});
