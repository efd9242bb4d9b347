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
    ['negative warm pool size', { AGENT_WARM_POOL: '-1' }, 'AGENT_WARM_POOL', '-1'],
    ['a process limit too small to run a job', { AGENT_PIDS_LIMIT: '1' }, 'AGENT_PIDS_LIMIT', 'at least 32'],
    ['a frame cap too small for a result', { AGENT_MAX_FRAME_BYTES: '1' }, 'AGENT_MAX_FRAME_BYTES', 'at least 1048576'],
    ['a nice value out of range', { AGENT_BACKEND_LINK_NICE: '-21' }, 'AGENT_BACKEND_LINK_NICE', '-20 to 19'],
    ['a nice value that is no number', { AGENT_BACKEND_LINK_NICE: 'high' }, 'AGENT_BACKEND_LINK_NICE', 'high'],
    ['a silence shorter than several Pings', { AGENT_BACKEND_SILENCE_MS: '1' }, 'AGENT_BACKEND_SILENCE_MS', 'at least 3000'],
    ['too few entries for a result', { AGENT_MAX_FRAME_ENTRIES: '10' }, 'AGENT_MAX_FRAME_ENTRIES', 'at least 1000'],
    ['too shallow for a result', { AGENT_MAX_FRAME_DEPTH: '2' }, 'AGENT_MAX_FRAME_DEPTH', 'at least 8'],
    ['a Docker deadline too short', { AGENT_DOCKER_TIMEOUT_MS: '10' }, 'AGENT_DOCKER_TIMEOUT_MS', 'at least 1000'],
    ['malformed backend address', { AGENT_BACKEND_ADDR: '127.0.0.1:2001' }, 'AGENT_BACKEND_ADDR', '127.0.0.1:2001'],
    ['HTTP port out of range', { AGENT_HTTP_PORT: '70000' }, 'AGENT_HTTP_PORT', '70000'],
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
      backendLinkNice: -10,
      http: { host: '127.0.0.1', port: 9464 },
      maxFrameBytes: 16 * 1024 * 1024,
      maxFrameEntries: 100_000,
      maxFrameDepth: 32,
      pidsLimit: 512,
      dockerTimeoutMs: 30_000,
      diskMaxEntries: 100_000,
      diskMinFreeMiB: 1024,
      cleanupHoldMaxS: 60,
      cleanupBusyPercent: 10,
      studentContainersPerJob: 4,
    });
    expect(config.runtimes).toBeUndefined();
    expect(config.debugHost).toBeUndefined();
  });

  it('sizes the warm pool by the concurrency unless told, 0 turning it off', () => {
    expect(parseAgentConfig({ ...BACKEND, AGENT_CONCURRENCY: '3' }).warmPoolSize).toBe(3);
    expect(parseAgentConfig({ ...BACKEND, AGENT_CONCURRENCY: '3', AGENT_WARM_POOL: '0' }).warmPoolSize).toBe(0);
    expect(parseAgentConfig({ ...BACKEND, AGENT_WARM_POOL: '5' }).warmPoolSize).toBe(5);
  });

  it('refuses a student-container budget of 0 (no run_student could ever start)', () => {
    expect(() => parseAgentConfig({ ...BACKEND, AGENT_STUDENT_CONTAINERS_PER_JOB: '0' })).toThrow(/AGENT_STUDENT_CONTAINERS_PER_JOB="0": expected a positive integer/);
  });

  it('takes the clean-up share while jobs grade as a percentage, 0 to 100', () => {
    expect(parseAgentConfig({ ...BACKEND, AGENT_CLEANUP_BUSY_PERCENT: '100' }).cleanupBusyPercent).toBe(100);
    expect(() => parseAgentConfig({ ...BACKEND, AGENT_CLEANUP_BUSY_PERCENT: '101' })).toThrow(/AGENT_CLEANUP_BUSY_PERCENT="101": expected a share of time, 0 to 100/);
  });

  it('treats empty variables as unset', () => {
    expect(parseAgentConfig({ ...BACKEND, AGENT_CONCURRENCY: '' }).concurrency).toBe(availableParallelism());
  });

  it('takes HTTP port 0 as "no endpoint"', () => {
    expect(parseAgentConfig({ ...BACKEND, AGENT_HTTP_HOST: '0.0.0.0', AGENT_HTTP_PORT: '0' }).http).toEqual({ host: '0.0.0.0', port: 0 });
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
  function runLoadConfig(env: Record<string, string>, args: string[] = [], dotEnv?: string): ReturnType<typeof spawnSync> {
    for (const file of ['config/load-config', 'config/agent-config', 'config/agent-config.schema', 'config/command-line', 'logging/cut-value']) {
      const { code } = transformFileSync(join(__dirname, '..', `${file}.ts`), {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      });
      mkdirSync(dirname(join(work, file)), { recursive: true });
      writeFileSync(join(work, `${file}.js`), code);
    }
    rmSync(join(work, '.env'), { force: true });
    if (dotEnv !== undefined) writeFileSync(join(work, '.env'), dotEnv);
    writeFileSync(
      join(work, 'main.js'),
      "const c = require('./config/load-config').loadConfigOrExit();" +
        "process.stdout.write('loaded ' + JSON.stringify({ name: c.friendlyName, concurrency: c.concurrency, sshAllowed: c.sshAllowed }) + '\\n');",
    );
    return spawnSync(process.execPath, ['main.js', ...args], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', NODE_PATH: resolve(__dirname, '../../node_modules'), ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
  }

  it('prints exactly one line and exits 2 on a bad value', () => {
    const result = runLoadConfig({ AGENT_BACKEND_ADDR: 'tcp://127.0.0.1:2001', AGENT_CONCURRENCY: '0' });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Invalid configuration: AGENT_CONCURRENCY="0": [^\n]+\n$/);
  });

  it('carries on with a good configuration', () => {
    const result = runLoadConfig({ AGENT_BACKEND_ADDR: 'tcp://127.0.0.1:2001' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^loaded \{.*\}\n$/);
  });

  it('takes the Python agent\'s command line; an option wins over its variable and over .env', () => {
    const result = runLoadConfig(
      { AGENT_CONCURRENCY: '3', AGENT_FRIENDLY_NAME: 'from-variable' },
      ['tcp://127.0.0.1:2001', '--concurrency', '5', '--friendly-name', 'from-option', '--ssh'],
      'AGENT_FRIENDLY_NAME=from-dotenv\nAGENT_CONCURRENCY=4\n',
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('loaded {"name":"from-option","concurrency":5,"sshAllowed":true}\n');
  });

  it('without an option, the variable wins over .env, as before', () => {
    const result = runLoadConfig({ AGENT_BACKEND_ADDR: 'tcp://127.0.0.1:2001', AGENT_CONCURRENCY: '3' }, [], 'AGENT_CONCURRENCY=4\nAGENT_FRIENDLY_NAME=dot\n');
    expect(result.stdout).toBe('loaded {"name":"dot","concurrency":3,"sshAllowed":false}\n');
  });

  it('names the option a bad value came from', () => {
    const result = runLoadConfig({}, ['tcp://127.0.0.1:2001', '--concurrency', 'many']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^Invalid configuration: AGENT_CONCURRENCY="many" \(from --concurrency\): [^\n]+\n$/);
  });

  it('refuses an unknown option with one line and exit 2', () => {
    const result = runLoadConfig({ AGENT_BACKEND_ADDR: 'tcp://127.0.0.1:2001' }, ['--no-such-flag']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe("error: unknown option '--no-such-flag'\n");
  });

  it('--help prints the options with their variables and exits 0, whatever the environment', () => {
    const result = runLoadConfig({}, ['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('--tmpdir <dir>');
    expect(result.stdout).toContain('AGENT_TMP_DIR');
    expect(result.stderr).toBe('');
  });
});
