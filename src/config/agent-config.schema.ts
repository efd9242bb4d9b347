import { availableParallelism, hostname } from 'node:os';
import { z } from 'zod';

const RUNTIME_FLAGS = ['root', 'shared', 'gpu'] as const;

export interface RuntimeSetting {
  runtime: string;
  envtype: string;
  runAsRoot: boolean;
  sharedKernel: boolean;
  gpu: boolean;
}

const positiveInt = (what = 'a positive integer') =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `expected ${what}`)
    .transform(Number)
    .refine((n) => Number.isSafeInteger(n) && n > 0, `expected ${what}`);

const nonNegativeInt = (what = 'a whole number, 0 or more') =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `expected ${what}`)
    .transform(Number)
    .refine((n) => Number.isSafeInteger(n), `expected ${what}`);
/** A nice value, -20 (first served) to 19. */
const niceValue = z
  .string()
  .trim()
  .regex(/^-?\d+$/, 'expected a nice value, -20 to 19')
  .transform(Number)
  .refine((n) => n >= -20 && n <= 19, 'expected a nice value, -20 to 19');

/** A positive integer no smaller than `min`: below it the agent could not do its work (every job would fail). */
const atLeast = (min: number, why: string) =>
  positiveInt().refine((n) => n >= min, `expected at least ${min} (${why})`);

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((s) => ['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'].includes(s), 'expected true or false')
  .transform((s) => ['1', 'true', 'yes', 'on'].includes(s));

const backendAddress = z
  .string()
  .trim()
  .refine(
    (s) => /^tcp:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.*-]+):(\d{1,5})$/.test(s) ? validPort(Number(s.split(':').pop())) : /^ipc:\/\/.+/.test(s),
    'expected a ZeroMQ address such as tcp://127.0.0.1:2001 or ipc:///path',
  );

const portRange = z
  .string()
  .trim()
  .regex(/^\d+-\d+$/, 'expected a port range such as 64120-64130')
  .transform((s) => s.split('-').map(Number) as [number, number])
  .refine(([a, b]) => validPort(a) && validPort(b), 'expected ports between 1 and 65535')
  .refine(([a, b]) => a <= b, 'expected the first port not to exceed the last')
  .transform(([first, last]) => ({ first, last }));

const runtimes = z
  .string()
  .trim()
  .transform((s, ctx) => {
    const settings: RuntimeSetting[] = [];
    for (const item of s.split(',').map((x) => x.trim()).filter(Boolean)) {
      const [runtime, envtype, ...flags] = item.split(':');
      if (!runtime || !envtype) {
        ctx.addIssue({ code: 'custom', message: `"${item}": expected runtime:envtype[:root][:shared][:gpu]` });
        return z.NEVER;
      }
      const unknown = flags.filter((f) => !(RUNTIME_FLAGS as readonly string[]).includes(f));
      if (unknown.length > 0) {
        ctx.addIssue({ code: 'custom', message: `unknown runtime flag "${unknown[0]}" (allowed: ${RUNTIME_FLAGS.join(', ')})` });
        return z.NEVER;
      }
      if (settings.some((r) => r.envtype === envtype)) {
        ctx.addIssue({ code: 'custom', message: `environment type "${envtype}" is claimed by two runtimes` });
        return z.NEVER;
      }
      settings.push({
        runtime,
        envtype,
        runAsRoot: flags.includes('root'),
        sharedKernel: flags.includes('shared'),
        gpu: flags.includes('gpu'),
      });
    }
    if (settings.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'expected at least one runtime:envtype' });
      return z.NEVER;
    }
    return settings;
  });

function validPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** Every setting the agent reads, by environment variable name. `.env.example` documents each one. */
export const agentEnvSchema = z.object({
  AGENT_BACKEND_ADDR: backendAddress,
  AGENT_FRIENDLY_NAME: z.string().trim().min(1).prefault(hostname()),
  AGENT_CONCURRENCY: positiveInt().prefault(String(availableParallelism())),
  AGENT_TASKS_DIR: z.string().trim().min(1).prefault('./tasks'),
  AGENT_TMP_DIR: z.string().trim().min(1).prefault('./agent_data'),
  AGENT_DEBUG_HOST: z.string().trim().min(1).optional(),
  AGENT_DEBUG_PORTS: portRange.prefault('64120-64130'),
  AGENT_SSH_ALLOWED: bool.prefault('false'),
  AGENT_SSH_DEBUG: bool.prefault('true'),
  AGENT_DEBUGGER: bool.prefault('false'),
  AGENT_RUNTIMES: runtimes.optional(),
  AGENT_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).prefault('info'),
  AGENT_LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  AGENT_ID: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 letters, digits, "_", "." or "-"')
    .optional(),
  AGENT_BACKEND_LINK_NICE: niceValue.prefault('-10'),
  AGENT_BACKEND_SILENCE_MS: atLeast(3000, 'the backend pings every second: several Pings must fit').prefault('10000'),
  AGENT_MAX_FRAME_BYTES: atLeast(1024 * 1024, 'a result with an archive needs room').prefault(String(16 * 1024 * 1024)),
  AGENT_MAX_FRAME_ENTRIES: atLeast(1000, 'a result lists its problems, tests and custom entries').prefault('100000'),
  AGENT_MAX_FRAME_DEPTH: atLeast(8, 'a result nests its maps a few levels deep').prefault('32'),
  AGENT_PIDS_LIMIT: atLeast(32, "a grading container runs the runtime, a shell and the student's program").prefault('512'),
  AGENT_DOCKER_TIMEOUT_MS: atLeast(1000, 'Docker needs time to create or remove a container').prefault('30000'),
  AGENT_DISK_MAX_ENTRIES: positiveInt().prefault('100000'),
  AGENT_DISK_MIN_FREE_MIB: positiveInt().prefault('1024'),
  AGENT_CLEANUP_HOLD_MAX_S: nonNegativeInt().prefault('60'),
  AGENT_CLEANUP_BUSY_PERCENT: nonNegativeInt()
    .refine((n) => n <= 100, 'expected a share of time, 0 to 100')
    .prefault('10'),
  AGENT_STUDENT_CONTAINERS_PER_JOB: positiveInt().prefault('4'),
  AGENT_HEALTH_PERIOD_S: positiveInt().prefault('90'),
  AGENT_HEALTH_GRACE_S: positiveInt().prefault('60'),
  AGENT_SHUTDOWN_GRACE_S: positiveInt().prefault('30'),
  AGENT_HTTP_HOST: z.string().trim().min(1).prefault('127.0.0.1'),
  AGENT_HTTP_PORT: z
    .string()
    .trim()
    .regex(/^\d+$/, 'expected a port between 0 (no HTTP endpoint) and 65535')
    .transform(Number)
    .refine((n) => n === 0 || validPort(n), 'expected a port between 0 (no HTTP endpoint) and 65535')
    .prefault('9464'),
  /** at most this many idle warm grading containers; unset: the concurrency */
  AGENT_WARM_POOL: nonNegativeInt().optional(),
  DOCKER_HOST: z.string().trim().min(1).optional(),
});

export type AgentEnv = z.output<typeof agentEnvSchema>;
