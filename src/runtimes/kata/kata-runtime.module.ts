import { Injectable, Module } from '@nestjs/common';
import { RuntimeDetectorProvider } from '../runtime-detector.decorator';
import type { RuntimeCandidate, RuntimeDetector } from '../runtime.types';

/** Kata Containers (`kata-runtime`, `kata-qemu`, `io.containerd.kata.v2`, …): envtype `kata`, a VM kernel of its own, root. */
@RuntimeDetectorProvider()
@Injectable()
export class KataRuntimeDetector implements RuntimeDetector {
  detect(name: string): RuntimeCandidate | undefined {
    if (!name.includes('kata')) return undefined;
    return {
      preference: name === 'kata-runtime' ? 0 : 1,
      runtime: { dockerRuntime: name, envtype: 'kata', runAsRoot: true, sharedKernel: false, gpu: false },
    };
  }
}

@Module({ providers: [KataRuntimeDetector] })
export class KataRuntimeModule {}
