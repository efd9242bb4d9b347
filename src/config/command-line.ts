import { Command, CommanderError, Option } from 'commander';

/**
 * The Python agent's command line (`inginious-agent-docker`), read into the environment variables that
 * `parseAgentConfig` validates: every option stands for one AGENT_* variable and wins over it.
 */
export type CommandLine =
  | {
      kind: 'run';
      /** variables set by the options given */
      env: Record<string, string>;
      /** variable → the option that set it, to name it in a refusal */
      origins: Record<string, string>;
    }
  | { kind: 'exit'; code: number; stdout: string; stderr: string };

/** Exit status of a refused command line, as for a refused setting (and as Python's argparse does). */
export const USAGE_EXIT_CODE = 2;

const RUNTIME_FLAGS = new Set(['root', 'shared', 'gpu']);

interface ValueOption {
  flags: string;
  variable: string;
  help: string;
}

const VALUE_OPTIONS: readonly ValueOption[] = [
  { flags: '--friendly-name <name>', variable: 'AGENT_FRIENDLY_NAME', help: 'name shown in the INGInious admin pages (default: host name)' },
  { flags: '--concurrency <n>', variable: 'AGENT_CONCURRENCY', help: 'job slots announced to the backend (default: CPU cores)' },
  { flags: '--tasks <dir>', variable: 'AGENT_TASKS_DIR', help: 'folder of the courses, <course>/<task>/... (default: ./tasks)' },
  { flags: '--tmpdir <dir>', variable: 'AGENT_TMP_DIR', help: 'work folder for per-job copies, emptied at start (default: ./agent_data)' },
  { flags: '--debug-host <host>', variable: 'AGENT_DEBUG_HOST', help: 'host given to SSH debug clients (default: first non-internal address)' },
  { flags: '--debug-ports <first-last>', variable: 'AGENT_DEBUG_PORTS', help: 'external ports for SSH debug and published ports (default: 64120-64130)' },
];

interface Switch {
  flags: string;
  /** the variable it sets, and to what; none for a switch accepted only for compatibility */
  sets?: { variable: string; value: string };
  help: string;
}

// In this order: --debugmode after -v, so that the more verbose level wins when both are given.
const SWITCHES: readonly Switch[] = [
  { flags: '--ssh', sets: { variable: 'AGENT_SSH_ALLOWED', value: 'true' }, help: 'allow SSH features: the <envtype>-ssh environment types and run_student with ssh' },
  { flags: '--debugger', sets: { variable: 'AGENT_DEBUGGER', value: 'true' }, help: 'grading containers attach to an IDE (PyCharm) debug server on the host, port 5678' },
  { flags: '-v, --verbose', sets: { variable: 'AGENT_LOG_LEVEL', value: 'debug' }, help: 'log at level debug' },
  { flags: '--debugmode', sets: { variable: 'AGENT_LOG_LEVEL', value: 'trace' }, help: 'log at level trace (for developers)' },
  { flags: '--disable-autorestart', help: 'accepted for compatibility: this agent never restarts itself; a fatal error exits for the service manager' },
];

const RUNTIME_HELP =
  'add a runtime: its Docker name, the environment type it serves, then flags root, shared, gpu; repeatable ' +
  '(e.g. --runtime runc docker shared --runtime kata-runtime kata root) (default: detected from Docker)';

const FOOTER = `
Each option stands for the environment variable named with it (also read from a .env file); an option given here
wins over its variable. Every other setting is an environment variable only: see .env.example.`;

/** Reads the command line; `argv` without the node executable and script. Never exits the process itself. */
export function readCommandLine(argv: readonly string[]): CommandLine {
  const output = { stdout: '', stderr: '' };
  const program = describeProgram(output);
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    const helped = error.code === 'commander.helpDisplayed' || error.code === 'commander.help';
    return { kind: 'exit', code: helped ? 0 : USAGE_EXIT_CODE, ...output };
  }
  const env: Record<string, string> = {};
  const origins: Record<string, string> = {};
  const set = (variable: string, value: string, option: string) => {
    env[variable] = value;
    origins[variable] = option;
  };
  const [backend] = program.processedArgs as [string | undefined];
  if (backend !== undefined) set('AGENT_BACKEND_ADDR', backend, 'the backend argument');
  const options = program.opts<Record<string, unknown>>();
  for (const { flags, variable } of VALUE_OPTIONS) {
    const option = new Option(flags);
    const value = options[option.attributeName()];
    if (typeof value === 'string') set(variable, value, option.long!);
  }
  for (const { flags, sets } of SWITCHES) {
    const option = new Option(flags);
    if (sets && options[option.attributeName()] === true) set(sets.variable, sets.value, option.long!);
  }
  if (options.runtime !== undefined) {
    const runtimes = groupRuntimes(options.runtime as string[]);
    if (typeof runtimes !== 'string') return { kind: 'exit', code: USAGE_EXIT_CODE, stdout: '', stderr: `error: ${runtimes.error}\n` };
    set('AGENT_RUNTIMES', runtimes, '--runtime');
  }
  return { kind: 'run', env, origins };
}

function describeProgram(output: { stdout: string; stderr: string }): Command {
  const program = new Command('node dist/main.js')
    .description('INGInious Docker grading agent: the command line of inginious-agent-docker, or environment variables.')
    .argument('[backend]', 'AGENT_BACKEND_ADDR: address of the backend, e.g. tcp://127.0.0.1:2001')
    .exitOverride()
    .allowExcessArguments(false)
    .showSuggestionAfterError(false)
    .configureOutput({
      writeOut: (text) => void (output.stdout += text),
      writeErr: (text) => void (output.stderr += text),
    })
    .addHelpText('after', FOOTER);
  for (const option of VALUE_OPTIONS) program.option(option.flags, `${option.variable}: ${option.help}`);
  program.option('--runtime <runtime envtype flags...>', `AGENT_RUNTIMES: ${RUNTIME_HELP}`);
  for (const option of SWITCHES) {
    program.option(option.flags, option.sets ? `${option.sets.variable}=${option.sets.value}: ${option.help}` : option.help);
  }
  return program;
}

/**
 * `--runtime` is repeatable and takes several words each time; the parser hands them over as one list, which splits
 * unambiguously: a runtime and an environment type (neither a flag word), then its flags. Returns AGENT_RUNTIMES's
 * form (`runtime:envtype[:flag]...`, comma-separated), or what is wrong.
 */
export function groupRuntimes(words: readonly string[]): string | { error: string } {
  const groups: string[][] = [];
  for (let i = 0; i < words.length; ) {
    const [runtime, envtype] = [words[i], words[i + 1]];
    if (RUNTIME_FLAGS.has(runtime) || envtype === undefined || RUNTIME_FLAGS.has(envtype)) {
      const hint = words.some((word) => word.includes('://')) ? '; the backend address goes before --runtime' : '';
      return {
        error: `--runtime: cannot read "${words.join(' ')}": expected "runtime envtype [root] [shared] [gpu]" after each --runtime${hint}`,
      };
    }
    const group = [runtime, envtype];
    for (i += 2; i < words.length && RUNTIME_FLAGS.has(words[i]); i++) group.push(words[i]);
    groups.push(group);
  }
  return groups.map((group) => group.join(':')).join(',');
}
