import { describe, expect, it } from 'vitest';
import { parseSoakOptions } from './soak-options';

describe('soak options', () => {
  it('reads counts and chaos kinds', () => {
    expect(parseSoakOptions(['--jobs', '60', '--concurrency', '3', '--agents', '2', '--chaos', 'backend,agent,containers', '--seed', '7'])).toEqual({
      jobs: 60, concurrency: 3, agents: 2, chaos: ['backend', 'agent', 'containers'], seed: 7, jobTimeoutS: 180,
    });
  });

  it('no chaos unless asked, and dockerd only when named', () => {
    expect(parseSoakOptions([]).chaos).toEqual([]);
    expect(parseSoakOptions(['--chaos', 'backend,agent,containers']).chaos).not.toContain('dockerd');
    expect(parseSoakOptions(['--chaos', 'dockerd']).chaos).toEqual(['dockerd']);
  });

  it('refuses unknown chaos kinds, bad counts and unknown options', () => {
    expect(() => parseSoakOptions(['--chaos', 'backend,everything'])).toThrow(/--chaos takes backend, agent, containers, dockerd/);
    expect(() => parseSoakOptions(['--jobs', '0'])).toThrow(/--jobs must be at least 1/);
    expect(() => parseSoakOptions(['--jobs', 'many'])).toThrow();
    expect(() => parseSoakOptions(['--job', '5'])).toThrow();
  });
});
