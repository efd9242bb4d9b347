import { describe, expect, it } from 'vitest';
import { fixtureJson } from '../../test/support/fixtures';
import type { Runtime } from '../runtimes/runtime.types';
import { announceEnvironments } from './environment-announcement';
import type { GradingEnvironment } from './grading-environment';

const fixtureHello = fixtureJson<{ messages: { file: string; decoded: { available_environments: unknown } }[] }>(
  'backend',
  'index.json',
).messages.find((m) => m.file === '001-agent-to-backend-AgentHello.msgpack')!.decoded;

const shim: Runtime = { dockerRuntime: 'io.containerd.runc.v2', envtype: 'docker', runAsRoot: false, sharedKernel: true, gpu: false };
const kata: Runtime = { dockerRuntime: 'kata-runtime', envtype: 'kata', runAsRoot: true, sharedKernel: false, gpu: false };

const env = (name: string, imageId: string, created: number, extra: Partial<GradingEnvironment> = {}): GradingEnvironment => ({
  envtype: 'docker',
  name,
  imageId,
  created,
  generation: 4,
  ports: [],
  advertised: true,
  runtime: shim,
  ...extra,
});

describe('announceEnvironments', () => {
  it('reproduces the real AgentHello available_environments, keys and key order included', () => {
    const announced = announceEnvironments(
      [
        env('probe', 'sha256:2184a5c69d3ca1ebe1da9118196bab045c2ded4d570d697801dc2110fb4135b1', 1795828924),
        env('default', 'sha256:01aebc64ed19069d4e47f03387e3c9ba6a1153b4e8e2752b00aa7732efa0c846', 1795827586),
      ],
      [shim],
    );
    expect(announced).toEqual(fixtureHello.available_environments);
    expect(JSON.stringify(announced)).toBe(JSON.stringify(fixtureHello.available_environments));
    expect(Object.keys(announced.docker.probe)).toEqual(['id', 'title', 'created', 'ports', 'runtime', 'advertised']);
  });

  it('lists every runtime envtype, even without environments', () => {
    expect(announceEnvironments([], [shim, kata])).toEqual({ docker: {}, kata: {} });
  });

  it('announces non-advertised environments with advertised false, and their ports', () => {
    const announced = announceEnvironments([env('ssh', 'sha256:1', 5, { advertised: false, ports: [22, 8080] })], [shim]);
    expect(announced.docker.ssh).toEqual({ id: 'sha256:1', title: 'ssh', created: 5, ports: [22, 8080], runtime: 'io.containerd.runc.v2', advertised: false });
  });

  it('places each environment under its own envtype', () => {
    const announced = announceEnvironments([env('a', 'sha256:1', 1), env('a', 'sha256:2', 2, { envtype: 'kata', runtime: kata })], [shim, kata]);
    expect(announced.docker.a.id).toBe('sha256:1');
    expect(announced.kata.a).toMatchObject({ id: 'sha256:2', runtime: 'kata-runtime' });
  });

  it('keeps a name such as __proto__ as a plain key', () => {
    const announced = announceEnvironments([env('__proto__', 'sha256:1', 1)], [shim]);
    expect(Object.keys(announced.docker)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(announced.docker)).toBe(Object.prototype);
  });
});
