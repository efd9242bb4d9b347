import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { LoggerModule } from 'nestjs-pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAgentConfig } from '../config/agent-config';
import { ConfigModule } from '../config/config.module';
import { DockerEvents } from '../docker/docker-events.service';
import { DockerGateway } from '../docker/docker.gateway';
import { RuntimeDetectorProvider } from './runtime-detector.decorator';
import { RuntimeRegistry } from './runtime-registry.service';
import type { RuntimeCandidate, RuntimeDetector } from './runtime.types';
import { RuntimesModule } from './runtimes.module';

/** A runtime module written outside src/runtimes, as a deployment would add one. */
@RuntimeDetectorProvider()
@Injectable()
class SysboxRuntimeDetector implements RuntimeDetector {
  detect(name: string): RuntimeCandidate | undefined {
    if (name !== 'sysbox-runc') return undefined;
    return { preference: 0, runtime: { dockerRuntime: 'sysbox-runc', envtype: 'sysbox', runAsRoot: true, sharedKernel: true, gpu: false } };
  }
}

@Module({ providers: [SysboxRuntimeDetector] })
class SysboxRuntimeModule {}

async function registryWith(env: Record<string, string>, dockerRuntimes: string[], extraModules: unknown[] = []) {
  const config = parseAgentConfig({ AGENT_BACKEND_ADDR: 'tcp://127.0.0.1:2001', ...env });
  const gateway = { engineInfo: async () => ({ runtimes: dockerRuntimes }) };
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), LoggerModule.forRoot({ pinoHttp: { level: 'silent' } }), RuntimesModule, ...(extraModules as never[])],
  })
    .overrideProvider(DockerGateway)
    .useValue(gateway)
    .overrideProvider(DockerEvents)
    .useValue({})
    .compile();
  await moduleRef.init();
  return { registry: moduleRef.get(RuntimeRegistry), moduleRef };
}

describe('RuntimeRegistry', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  it('detects with the built-in runtime modules found by discovery', async () => {
    const { registry, moduleRef } = await registryWith({}, ['io.containerd.runc.v2', 'io.containerd.runtime.v1.linux', 'runc', 'kata-runtime']);
    close = () => moduleRef.close();
    expect((await registry.resolve()).map((r) => [r.envtype, r.dockerRuntime])).toEqual([
      ['docker', 'runc'],
      ['kata', 'kata-runtime'],
    ]);
  });

  it('picks up a runtime module that is only imported, with no other change', async () => {
    const { registry, moduleRef } = await registryWith({}, ['runc', 'sysbox-runc'], [SysboxRuntimeModule]);
    close = () => moduleRef.close();
    expect((await registry.resolve()).map((r) => [r.envtype, r.dockerRuntime])).toEqual([
      ['docker', 'runc'],
      ['sysbox', 'sysbox-runc'],
    ]);
  });

  it('finds the built-in gVisor module (runsc) by discovery like the others', async () => {
    const { registry, moduleRef } = await registryWith({}, ['runc', 'runsc']);
    close = () => moduleRef.close();
    expect((await registry.resolve()).map((r) => [r.envtype, r.dockerRuntime, r.sharedKernel])).toEqual([
      ['docker', 'runc', true],
      ['gvisor', 'runsc', false],
    ]);
  });

  it('uses AGENT_RUNTIMES exactly, without detection', async () => {
    const { registry, moduleRef } = await registryWith({ AGENT_RUNTIMES: 'crun:docker:shared,kata-qemu:kata:root' }, ['runc', 'nvidia']);
    close = () => moduleRef.close();
    expect(await registry.resolve()).toEqual([
      { dockerRuntime: 'crun', envtype: 'docker', runAsRoot: false, sharedKernel: true, gpu: false },
      { dockerRuntime: 'kata-qemu', envtype: 'kata', runAsRoot: true, sharedKernel: false, gpu: false },
    ]);
  });

  it('with SSH allowed, serves each shared-kernel runtime also as <envtype>-ssh, right after it', async () => {
    const { registry, moduleRef } = await registryWith({ AGENT_SSH_ALLOWED: 'true' }, ['runc', 'kata-runtime', 'nvidia']);
    close = () => moduleRef.close();
    expect((await registry.resolve()).map((r) => [r.envtype, r.dockerRuntime])).toEqual([
      ['docker', 'runc'],
      ['docker-ssh', 'runc'],
      ['kata', 'kata-runtime'],
      ['nvidia', 'nvidia'],
      ['nvidia-ssh', 'nvidia'],
    ]);
  });

  it('with SSH allowed and AGENT_RUNTIMES, adds <envtype>-ssh to the shared-kernel ones it lists', async () => {
    const { registry, moduleRef } = await registryWith({ AGENT_SSH_ALLOWED: 'true', AGENT_RUNTIMES: 'crun:docker:shared,kata-qemu:kata:root' }, []);
    close = () => moduleRef.close();
    expect((await registry.resolve()).map((r) => r.envtype)).toEqual(['docker', 'docker-ssh', 'kata']);
  });
});
