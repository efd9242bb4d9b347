import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { z } from 'zod';
import { agentEnvSchema, type RuntimeSetting } from './agent-config.schema';
import { cut } from '../logging/cut-value';

export class ConfigError extends Error {}

export interface AgentConfigValues {
  backendAddress: string;
  friendlyName: string;
  concurrency: number;
  tasksDir: string;
  workDir: string;
  debugHost?: string;
  debugPorts: { first: number; last: number };
  /** `--ssh`: the `<envtype>-ssh` environment types and `run_student(ssh=True)` */
  sshAllowed: boolean;
  /** SSH debug of grading jobs (`debug: "ssh"`), served unless the operator turns it off */
  sshDebug: boolean;
  /** `--debugger`: grading containers attach to an IDE debug server on the host (DEBUGGER=True) */
  debugger: boolean;
  runtimes?: RuntimeSetting[];
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  logFormat: 'json' | 'pretty';
  /** Stable identity written on every container label, so that agents sharing an engine never touch each other's containers. */
  agentId: string;
  /** nice value of the backend link's thread and of the ZeroMQ threads it starts (0: the process's own) */
  backendLinkNice: number;
  backendSilenceMs: number;
  maxFrameBytes: number;
  /** what one message from a container may hold: map entries and array items in all, and nesting */
  maxFrameEntries: number;
  maxFrameDepth: number;
  pidsLimit: number;
  /** deadline of every short Docker API call (not of the attach and event streams) */
  dockerTimeoutMs: number;
  /** most files and folders one job may have (its folder and its containers' layers together) */
  diskMaxEntries: number;
  /** below this much free space on the work folder's file system, the largest writing job is stopped */
  diskMinFreeMiB: number;
  /** job folder removals wait while jobs grade, at most this long at a time (0: they never wait) */
  cleanupHoldMaxS: number;
  /** while jobs grade, the share of time (percent) that held removals still run, in short slices */
  cleanupBusyPercent: number;
  /** student containers of one job running at once; further run_student requests wait in order */
  studentContainersPerJob: number;
  healthPeriodS: number;
  healthGraceS: number;
  shutdownGraceS: number;
  /** health and metrics endpoint; port 0: none */
  http: { host: string; port: number };
  /** most idle warm grading containers kept ready (0: no warm pool) */
  warmPoolSize: number;
  dockerHost?: string;
}

/** The validated, typed configuration. Injected by class; built once at start from the environment. */
export class AgentConfig {
  constructor(values: AgentConfigValues) {
    Object.assign(this, values);
  }
}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface AgentConfig extends AgentConfigValues {}

/**
 * Validates the environment; throws a ConfigError whose message is one line naming the variable, the value and what is
 * expected. `origins` names the command-line option a variable came from, if any (see command-line.ts).
 */
export function parseAgentConfig(env: NodeJS.ProcessEnv, isTty = false, origins: Record<string, string> = {}): AgentConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = agentEnvSchema.safeParse(present);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, present, origins));
  const e = parsed.data;
  const tasksDir = resolve(e.AGENT_TASKS_DIR);
  const workDir = resolve(e.AGENT_TMP_DIR);
  return new AgentConfig({
    backendAddress: e.AGENT_BACKEND_ADDR,
    friendlyName: e.AGENT_FRIENDLY_NAME,
    concurrency: e.AGENT_CONCURRENCY,
    tasksDir,
    workDir,
    debugHost: e.AGENT_DEBUG_HOST,
    debugPorts: e.AGENT_DEBUG_PORTS,
    sshAllowed: e.AGENT_SSH_ALLOWED,
    sshDebug: e.AGENT_SSH_DEBUG,
    debugger: e.AGENT_DEBUGGER,
    runtimes: e.AGENT_RUNTIMES,
    logLevel: e.AGENT_LOG_LEVEL,
    logFormat: e.AGENT_LOG_FORMAT ?? (isTty ? 'pretty' : 'json'),
    agentId: e.AGENT_ID ?? defaultAgentId(e.AGENT_FRIENDLY_NAME, workDir),
    backendLinkNice: e.AGENT_BACKEND_LINK_NICE,
    backendSilenceMs: e.AGENT_BACKEND_SILENCE_MS,
    maxFrameBytes: e.AGENT_MAX_FRAME_BYTES,
    maxFrameEntries: e.AGENT_MAX_FRAME_ENTRIES,
    maxFrameDepth: e.AGENT_MAX_FRAME_DEPTH,
    pidsLimit: e.AGENT_PIDS_LIMIT,
    dockerTimeoutMs: e.AGENT_DOCKER_TIMEOUT_MS,
    diskMaxEntries: e.AGENT_DISK_MAX_ENTRIES,
    diskMinFreeMiB: e.AGENT_DISK_MIN_FREE_MIB,
    cleanupHoldMaxS: e.AGENT_CLEANUP_HOLD_MAX_S,
    cleanupBusyPercent: e.AGENT_CLEANUP_BUSY_PERCENT,
    studentContainersPerJob: e.AGENT_STUDENT_CONTAINERS_PER_JOB,
    healthPeriodS: e.AGENT_HEALTH_PERIOD_S,
    healthGraceS: e.AGENT_HEALTH_GRACE_S,
    shutdownGraceS: e.AGENT_SHUTDOWN_GRACE_S,
    http: { host: e.AGENT_HTTP_HOST, port: e.AGENT_HTTP_PORT },
    warmPoolSize: e.AGENT_WARM_POOL ?? e.AGENT_CONCURRENCY,
    dockerHost: e.DOCKER_HOST,
  });
}

/** Same name and work folder → same identity across restarts, so leftovers of an earlier run are recognised as ours. */
function defaultAgentId(friendlyName: string, workDir: string): string {
  return createHash('sha256').update(`${friendlyName}\0${workDir}`).digest('hex').slice(0, 16);
}

function describeIssues(error: z.ZodError, env: Record<string, string | undefined>, origins: Record<string, string>): string {
  return error.issues
    .map((issue) => {
      const name = String(issue.path[0] ?? '?');
      const value = env[name];
      const shown = value === undefined ? 'is not set' : `=${JSON.stringify(cut(value))}`;
      const origin = origins[name] ? ` (from ${origins[name]})` : '';
      const message = issue.code === 'invalid_type' && value === undefined ? 'required' : oneLine(cut(issue.message));
      return `${name}${value === undefined ? ' ' : ''}${shown}${origin}: ${message}`;
    })
    .join('; ');
}

/** The message is one line: a line break inside a quoted value is shown escaped. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]/g, (c) => JSON.stringify(c).slice(1, -1));
}
