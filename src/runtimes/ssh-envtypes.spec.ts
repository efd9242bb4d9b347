import { describe, expect, it } from 'vitest';
import type { Runtime } from './runtime.types';
import { withSshEnvtypes } from './ssh-envtypes';

const runc: Runtime = { dockerRuntime: 'runc', envtype: 'docker', runAsRoot: false, sharedKernel: true, gpu: false };
const kata: Runtime = { dockerRuntime: 'kata-runtime', envtype: 'kata', runAsRoot: true, sharedKernel: false, gpu: false };

describe('withSshEnvtypes', () => {
  it('adds nothing when SSH is not allowed', () => {
    expect(withSshEnvtypes([runc, kata], false)).toEqual([runc, kata]);
  });

  it('adds <envtype>-ssh, the same runtime otherwise, after each shared-kernel runtime only', () => {
    expect(withSshEnvtypes([runc, kata], true)).toEqual([runc, { ...runc, envtype: 'docker-ssh' }, kata]);
  });

  it('leaves an envtype already served by a configured runtime to it', () => {
    const configured: Runtime = { ...runc, dockerRuntime: 'crun', envtype: 'docker-ssh' };
    expect(withSshEnvtypes([runc, configured], true)).toEqual([runc, configured]);
  });
});
