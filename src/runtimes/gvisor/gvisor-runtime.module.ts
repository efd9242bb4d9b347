import { Injectable, Module } from '@nestjs/common';
import { RuntimeDetectorProvider } from '../runtime-detector.decorator';
import type { RuntimeCandidate, RuntimeDetector } from '../runtime.types';

/**
 * gVisor (`runsc`, and its `runsc-kvm`/`runsc-debug` variants or containerd's `io.containerd.runsc.v1`): envtype
 * `gvisor`. Its kernel is gVisor's own, in user space (not the host's: not a shared kernel), so root inside is the
 * sandbox's root, as in a Kata VM. No GPU: gVisor's nvproxy is experimental; declare it with AGENT_RUNTIMES if wanted.
 */
@RuntimeDetectorProvider()
@Injectable()
export class GvisorRuntimeDetector implements RuntimeDetector {
  detect(name: string): RuntimeCandidate | undefined {
    if (!name.includes('runsc')) return undefined;
    return {
      preference: name === 'runsc' ? 0 : 1,
      runtime: { dockerRuntime: name, envtype: 'gvisor', runAsRoot: true, sharedKernel: false, gpu: false },
    };
  }
}

@Module({ providers: [GvisorRuntimeDetector] })
export class GvisorRuntimeModule {}
