import { Injectable, Module } from '@nestjs/common';
import { RuntimeDetectorProvider } from '../runtime-detector.decorator';
import type { RuntimeCandidate, RuntimeDetector } from '../runtime.types';

/** NVIDIA's container runtime: envtype `nvidia`, GPUs, the host's kernel, not root. */
@RuntimeDetectorProvider()
@Injectable()
export class NvidiaRuntimeDetector implements RuntimeDetector {
  detect(name: string): RuntimeCandidate | undefined {
    if (!name.includes('nvidia')) return undefined;
    return {
      preference: name === 'nvidia' ? 0 : 1,
      runtime: { dockerRuntime: name, envtype: 'nvidia', runAsRoot: false, sharedKernel: true, gpu: true },
    };
  }
}

@Module({ providers: [NvidiaRuntimeDetector] })
export class NvidiaRuntimeModule {}
