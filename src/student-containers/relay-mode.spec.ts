import { describe, expect, it } from 'vitest';
import type { GradingEnvironment } from '../environments/grading-environment';
import type { Runtime } from '../runtimes/runtime.types';
import { relayed } from './relay-mode';

const runc: Runtime = { dockerRuntime: 'runc', envtype: 'docker', runAsRoot: false, sharedKernel: true, gpu: false };
const kata: Runtime = { dockerRuntime: 'kata-runtime', envtype: 'kata', runAsRoot: true, sharedKernel: false, gpu: false };
const parent = (generation: 3 | 4, runtime: Runtime): GradingEnvironment => ({
  envtype: runtime.envtype, name: 'e', imageId: 'sha256:x', created: 0, generation, ports: [], advertised: true, runtime,
});

describe('relayed (no /__parent.sock: the conversation goes through the agent)', () => {
  it('generation 3 with a runtime of its own kernel on either side', () => {
    expect(relayed(parent(3, kata), runc)).toBe(true);
    expect(relayed(parent(3, runc), kata)).toBe(true);
  });
  it('never for generation 4, nor when both share the host kernel, nor without a parent', () => {
    expect(relayed(parent(4, kata), kata)).toBe(false);
    expect(relayed(parent(3, runc), runc)).toBe(false);
    expect(relayed(undefined, kata)).toBe(false);
  });
});
