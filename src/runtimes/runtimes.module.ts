import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { DockerModule } from '../docker/docker.module';
import { GvisorRuntimeModule } from './gvisor/gvisor-runtime.module';
import { KataRuntimeModule } from './kata/kata-runtime.module';
import { NvidiaRuntimeModule } from './nvidia/nvidia-runtime.module';
import { RuncRuntimeModule } from './runc/runc-runtime.module';
import { RuntimeRegistry } from './runtime-registry.service';

/**
 * The runtime registry and the built-in runtime modules. Another runtime is one more module whose provider carries
 * `@RuntimeDetectorProvider()`; importing it anywhere in the application is enough for the registry to find it.
 */
@Module({
  imports: [DiscoveryModule, DockerModule, RuncRuntimeModule, KataRuntimeModule, NvidiaRuntimeModule, GvisorRuntimeModule],
  providers: [RuntimeRegistry],
  exports: [RuntimeRegistry],
})
export class RuntimesModule {}
