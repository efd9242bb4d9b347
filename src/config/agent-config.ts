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
  sshAllowed: boolean;
  runtimes?: RuntimeSetting[];
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  logFormat: 'json' | 'pretty';
  /** Stable identity written on every container label, so that agents sharing an engine never touch each other's containers. */
  agentId: string;
  backendSilenceMs: number;
  maxFrameBytes: number;
  pidsLimit: number;
  healthPeriodS: number;
  healthGraceS: number;
  shutdownGraceS: number;
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

/** Validates the environment; throws a ConfigError whose message is one line naming the variable, the value and what is expected. */
export function parseAgentConfig(env: NodeJS.ProcessEnv, isTty = false): AgentConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = agentEnvSchema.safeParse(present);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, present));
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
    runtimes: e.AGENT_RUNTIMES,
    logLevel: e.AGENT_LOG_LEVEL,
    logFormat: e.AGENT_LOG_FORMAT ?? (isTty ? 'pretty' : 'json'),
    agentId: e.AGENT_ID ?? defaultAgentId(e.AGENT_FRIENDLY_NAME, workDir),
    backendSilenceMs: e.AGENT_BACKEND_SILENCE_MS,
    maxFrameBytes: e.AGENT_MAX_FRAME_BYTES,
    pidsLimit: e.AGENT_PIDS_LIMIT,
    healthPeriodS: e.AGENT_HEALTH_PERIOD_S,
    healthGraceS: e.AGENT_HEALTH_GRACE_S,
    shutdownGraceS: e.AGENT_SHUTDOWN_GRACE_S,
    dockerHost: e.DOCKER_HOST,
  });
}

/** Same name and work folder → same identity across restarts, so leftovers of an earlier run are recognised as ours. */
function defaultAgentId(friendlyName: string, workDir: string): string {
  return createHash('sha256').update(`${friendlyName}\0${workDir}`).digest('hex').slice(0, 16);
}

function describeIssues(error: z.ZodError, env: Record<string, string | undefined>): string {
  return error.issues
    .map((issue) => {
      const name = String(issue.path[0] ?? '?');
      const value = env[name];
      const shown = value === undefined ? 'is not set' : `=${JSON.stringify(cut(value))}`;
      const message = issue.code === 'invalid_type' && value === undefined ? 'required' : oneLine(cut(issue.message));
      return `${name}${value === undefined ? ' ' : ''}${shown}: ${message}`;
    })
    .join('; ');
}

/** The message is one line: a line break inside a quoted value is shown escaped. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]/g, (c) => JSON.stringify(c).slice(1, -1));
}
