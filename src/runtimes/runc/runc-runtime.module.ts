import { Injectable, Module } from '@nestjs/common';
import { RuntimeDetectorProvider } from '../runtime-detector.decorator';
import type { RuntimeCandidate, RuntimeDetector } from '../runtime.types';

/**
 * runc and crun: envtype `docker`, the host's kernel, not root. `runc` itself is preferred over containerd's shim
 * names (`io.containerd.runc.v2`), which Docker lists first; `io.containerd.runtime.v1.linux` is not matched.
 */
@RuntimeDetectorProvider()
@Injectable()
export class RuncRuntimeDetector implements RuntimeDetector {
  detect(name: string): RuntimeCandidate | undefined {
    const preference = name === 'runc' ? 0 : name === 'crun' ? 1 : /runc|crun/.test(name) ? 2 : undefined;
    if (preference === undefined) return undefined;
    return { preference, runtime: { dockerRuntime: name, envtype: 'docker', runAsRoot: false, sharedKernel: true, gpu: false } };
  }
}

@Module({ providers: [RuncRuntimeDetector] })
export class RuncRuntimeModule {}
