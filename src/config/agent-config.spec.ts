import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { transformFileSync } from '@swc/core';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, parseAgentConfig } from './agent-config';

const BACKEND = { AGENT_BACKEND_ADDR: 'tcp://127.0.0.1:2001' };

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    parseAgentConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('parseAgentConfig', () => {
  it.each([
    ['non-numeric concurrency', { AGENT_CONCURRENCY: 'four' }, 'AGENT_CONCURRENCY', 'four'],
    ['zero concurrency', { AGENT_CONCURRENCY: '0' }, 'AGENT_CONCURRENCY', '0'],
    ['inverted port range', { AGENT_DEBUG_PORTS: '64130-64120' }, 'AGENT_DEBUG_PORTS', '64130-64120'],
    ['malformed port range', { AGENT_DEBUG_PORTS: '64120:64130' }, 'AGENT_DEBUG_PORTS', '64120:64130'],
    ['unknown runtime flag', { AGENT_RUNTIMES: 'runc:docker:turbo' }, 'AGENT_RUNTIMES', 'turbo'],
    ['duplicate envtype', { AGENT_RUNTIMES: 'runc:docker,crun:docker' }, 'AGENT_RUNTIMES', 'docker'],
    ['malformed backend address', { AGENT_BACKEND_ADDR: '127.0.0.1:2001' }, 'AGENT_BACKEND_ADDR', '127.0.0.1:2001'],
  ])('rejects %s with one line naming the variable and the value', (_, bad, variable, shown) => {
    const error = configError({ ...BACKEND, ...bad });
    expect(error.message).not.toContain('\n');
    expect(error.message.startsWith(variable)).toBe(true);
    expect(error.message).toContain(shown);
  });

  it('rejects a missing backend address, saying it is required', () => {
    const error = configError({});
    expect(error.message).toBe('AGENT_BACKEND_ADDR is not set: required');
  });

  it('fills the documented defaults', () => {
    const config = parseAgentConfig(BACKEND);
    expect(config).toMatchObject({
      backendAddress: 'tcp://127.0.0.1:2001',
      friendlyName: hostname(),
      concurrency: availableParallelism(),
      tasksDir: resolve('./tasks'),
      workDir: resolve('./agent_data'),
      debugPorts: { first: 64120, last: 64130 },
      sshAllowed: false,
      logLevel: 'info',
      backendSilenceMs: 10_000,
    });
    expect(config.runtimes).toBeUndefined();
    expect(config.debugHost).toBeUndefined();
  });

  it('treats empty variables as unset', () => {
    expect(parseAgentConfig({ ...BACKEND, AGENT_CONCURRENCY: '' }).concurrency).toBe(availableParallelism());
  });

  it('parses runtimes with their flags', () => {
    const config = parseAgentConfig({ ...BACKEND, AGENT_RUNTIMES: 'runc:docker:shared, kata-runtime:kata:root,nvidia:nvidia:shared:gpu' });
    expect(config.runtimes).toEqual([
      { runtime: 'runc', envtype: 'docker', runAsRoot: false, sharedKernel: true, gpu: false },
      { runtime: 'kata-runtime', envtype: 'kata', runAsRoot: true, sharedKernel: false, gpu: false },
      { runtime: 'nvidia', envtype: 'nvidia', runAsRoot: false, sharedKernel: true, gpu: true },
    ]);
  });
});

describe('loadConfigOrExit in a real process', () => {
  const work = mkdtempSync(join(tmpdir(), 'agent-config-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  // The config files compiled as `nest build` would (SWC, CommonJS), run by a plain node with no .env around.
  function runLoadConfig(env: Record<string, string>): ReturnType<typeof spawnSync> {
    for (const file of ['config/load-config', 'config/agent-config', 'config/agent-config.schema', 'logging/cut-value']) {
      const { code } = transformFileSync(join(__dirname, '..', `${file}.ts`), {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      });
      mkdirSync(dirname(join(work, file)), { recursive: true });
      writeFileSync(join(work, `${file}.js`), code);
    }
    const script = "require('./config/load-config').loadConfigOrExit(); process.stdout.write('loaded\\n');";
    return spawnSync(process.execPath, ['-e', script], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', NODE_PATH: resolve(__dirname, '../../node_modules'), ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
  }

  it('prints exactly one line and exits non-zero on a bad value', () => {
    const result = runLoadConfig({ AGENT_BACKEND_ADDR: 'tcp://127.0.0.1:2001', AGENT_CONCURRENCY: '0' });
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Invalid configuration: AGENT_CONCURRENCY="0": [^\n]+\n$/);
  });

  it('carries on with a good configuration', () => {
    const result = runLoadConfig({ AGENT_BACKEND_ADDR: 'tcp://127.0.0.1:2001' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('loaded\n');
  });
});
