import { describe, expect, it } from 'vitest';
import { parseAgentConfig } from './agent-config';
import { type CommandLine, groupRuntimes, readCommandLine } from './command-line';

function run(argv: string[]): Extract<CommandLine, { kind: 'run' }> {
  const commandLine = readCommandLine(argv);
  if (commandLine.kind !== 'run') throw new Error(`refused: ${commandLine.stderr}`);
  return commandLine;
}

function refused(argv: string[]): Extract<CommandLine, { kind: 'exit' }> {
  const commandLine = readCommandLine(argv);
  if (commandLine.kind !== 'exit') throw new Error(`accepted: ${JSON.stringify(commandLine.env)}`);
  return commandLine;
}

describe('readCommandLine: the Python agent\'s options, each to its variable', () => {
  it('sets nothing without arguments (the environment-only way)', () => {
    expect(run([])).toEqual({ kind: 'run', env: {}, origins: {} });
  });

  it.each([
    [['tcp://backend:2001'], 'AGENT_BACKEND_ADDR', 'tcp://backend:2001'],
    [['--friendly-name', 'grader 1'], 'AGENT_FRIENDLY_NAME', 'grader 1'],
    [['--concurrency', '4'], 'AGENT_CONCURRENCY', '4'],
    [['--tasks', '/srv/tasks'], 'AGENT_TASKS_DIR', '/srv/tasks'],
    [['--tmpdir=/tmp/agent_data/'], 'AGENT_TMP_DIR', '/tmp/agent_data/'],
    [['--debug-host', 'grader.example'], 'AGENT_DEBUG_HOST', 'grader.example'],
    [['--debug-ports', '64200-64210'], 'AGENT_DEBUG_PORTS', '64200-64210'],
    [['--ssh'], 'AGENT_SSH_ALLOWED', 'true'],
    [['--debugger'], 'AGENT_DEBUGGER', 'true'],
    [['-v'], 'AGENT_LOG_LEVEL', 'debug'],
    [['--verbose'], 'AGENT_LOG_LEVEL', 'debug'],
    [['--debugmode'], 'AGENT_LOG_LEVEL', 'trace'],
    [['--runtime', 'runc', 'docker'], 'AGENT_RUNTIMES', 'runc:docker'],
  ])('%j sets %s=%s', (argv, variable, value) => {
    const { env, origins } = run(argv);
    expect(env).toEqual({ [variable]: value });
    expect(origins[variable]).toMatch(/^(--|the backend argument)/);
  });

  it('--disable-autorestart is accepted and sets nothing (this agent never restarts itself)', () => {
    expect(run(['--disable-autorestart']).env).toEqual({});
  });

  it('reads the INGInious compose file\'s line, and a full systemd-style line', () => {
    expect(run(['tcp://backend:2001', '--tmpdir=/tmp/agent_data/']).env).toEqual({
      AGENT_BACKEND_ADDR: 'tcp://backend:2001',
      AGENT_TMP_DIR: '/tmp/agent_data/',
    });
    const { env } = run([
      'tcp://10.0.0.1:2001', '--friendly-name', 'g1', '--concurrency', '8', '--tasks', '/t', '--tmpdir', '/w',
      '--debug-host', 'h', '--debug-ports', '1000-1010', '--ssh', '--runtime', 'runc', 'docker', 'shared',
      '--runtime', 'kata-runtime', 'kata', 'root', '-v', '--disable-autorestart', '--debugger',
    ]);
    expect(env).toEqual({
      AGENT_BACKEND_ADDR: 'tcp://10.0.0.1:2001', AGENT_FRIENDLY_NAME: 'g1', AGENT_CONCURRENCY: '8', AGENT_TASKS_DIR: '/t',
      AGENT_TMP_DIR: '/w', AGENT_DEBUG_HOST: 'h', AGENT_DEBUG_PORTS: '1000-1010', AGENT_SSH_ALLOWED: 'true',
      AGENT_RUNTIMES: 'runc:docker:shared,kata-runtime:kata:root', AGENT_LOG_LEVEL: 'debug', AGENT_DEBUGGER: 'true',
    });
    expect(parseAgentConfig(env).runtimes?.map((r) => r.envtype)).toEqual(['docker', 'kata']);
  });

  it('-v and --debugmode together: the more verbose level', () => {
    expect(run(['--debugmode', '-v']).env.AGENT_LOG_LEVEL).toBe('trace');
  });

  it('the last of a repeated value option wins, as with argparse', () => {
    expect(run(['--concurrency', '2', '--concurrency', '3']).env.AGENT_CONCURRENCY).toBe('3');
  });

  it('--help lists every option with its variable and exits 0', () => {
    const help = refused(['--help']);
    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
    const text = help.stdout.replace(/\s+/g, ' ');
    for (const [flag, variable] of [
      ['backend', 'AGENT_BACKEND_ADDR'], ['--friendly-name', 'AGENT_FRIENDLY_NAME'], ['--concurrency', 'AGENT_CONCURRENCY'],
      ['--tasks', 'AGENT_TASKS_DIR'], ['--tmpdir', 'AGENT_TMP_DIR'], ['--debug-host', 'AGENT_DEBUG_HOST'],
      ['--debug-ports', 'AGENT_DEBUG_PORTS'], ['--runtime', 'AGENT_RUNTIMES'], ['--ssh', 'AGENT_SSH_ALLOWED'],
      ['--debugger', 'AGENT_DEBUGGER'], ['--verbose', 'AGENT_LOG_LEVEL'], ['--debugmode', 'AGENT_LOG_LEVEL'],
    ]) {
      expect(text).toMatch(new RegExp(`${flag}( <[^>]+>)? ${variable}[:=]`));
    }
    expect(text).toContain('--disable-autorestart');
    expect(refused(['-h']).stdout).toBe(help.stdout);
  });

  it.each([
    [['--frobnicate'], "error: unknown option '--frobnicate'"],
    [['--fs', 'local'], "error: unknown option '--fs'"],
    [['tcp://a:1', 'tcp://b:2'], 'error: too many arguments'],
    [['--concurrency'], "error: option '--concurrency <n>' argument missing"],
    [['--runtime', 'runc'], 'error: --runtime: cannot read "runc"'],
    [['--runtime', 'runc', 'docker', 'tcp://x:1'], 'the backend address goes before --runtime'],
  ])('refuses %j with one line and exit 2', (argv, line) => {
    const refusal = refused(argv);
    expect(refusal.code).toBe(2);
    expect(refusal.stdout).toBe('');
    expect(refusal.stderr).toMatch(/^[^\n]+\n$/);
    expect(refusal.stderr).toContain(line);
  });
});

describe('groupRuntimes', () => {
  it.each([
    [['runc', 'docker'], 'runc:docker'],
    [['runc', 'docker', 'shared', 'kata-runtime', 'kata', 'root'], 'runc:docker:shared,kata-runtime:kata:root'],
    [['nvidia', 'nvidia', 'shared', 'gpu', 'root'], 'nvidia:nvidia:shared:gpu:root'],
  ])('splits %j into %s', (words, setting) => {
    expect(groupRuntimes(words)).toBe(setting);
  });

  it.each([[['root', 'runc', 'docker']], [['runc', 'root']], [['runc', 'docker', 'sharde', 'kata', 'kata', 'root']]])(
    'refuses %j, quoting the words',
    (words) => {
      expect(groupRuntimes(words)).toEqual({ error: expect.stringContaining(`"${words.join(' ')}"`) });
    },
  );
});
