import { isPlainMap } from '../msgpack/msgpack.codec';
import { JobRejected } from './job-rejected.error';
import { cut } from '../logging/cut-value';

export interface JobLimits {
  /** CPU seconds of all the container's processes */
  cpuSeconds: number;
  /** wall-clock seconds */
  wallSeconds: number;
  memoryMiB: number;
}

export interface JobParameters {
  limits: JobLimits;
  /** `limits.disk`: what the job may write, its folder and its containers' layers together */
  diskMiB: number;
  /** the grading container has network: `network_grading`, or the IDE debugger has to reach the host */
  networkGrading: boolean;
  runCmd: string;
}

const DEFAULT_CPU_SECONDS = 30;
const DEFAULT_MEMORY_MIB = 200;
const MIN_MEMORY_MIB = 20;
const DEFAULT_DISK_MIB = 1024;
/** Jobs that publish ports (SSH debug, web environments) are interactive: both time limits become 30 minutes. */
export const INTERACTIVE_LIMIT_SECONDS = 30 * 60;

export interface JobParameterContext {
  /** the container publishes ports (SSH debug, web environments) */
  interactive: boolean;
  maxMemoryMiB: number;
  /** AGENT_DEBUGGER: as in the Python agent, a debugged job has network and the interactive limits */
  ideDebugger: boolean;
}

/** `environment_parameters` as behaviour.md step 3 reads them; numbers may come as numeric strings, as Python's int() takes them. */
export function parseJobParameters(
  parameters: Record<string, unknown>,
  { interactive, maxMemoryMiB, ideDebugger }: JobParameterContext,
): JobParameters {
  const limits = parameters.limits ?? {};
  if (!isPlainMap(limits)) throw new JobRejected('The task parameters cannot be read: "limits" must be a map.');
  const cpuSeconds = readNumber(limits, 'time', DEFAULT_CPU_SECONDS);
  const wallSeconds = readNumber(limits, 'hard_time', 0) || 3 * cpuSeconds;
  const memoryMiB = Math.max(MIN_MEMORY_MIB, readNumber(limits, 'memory', DEFAULT_MEMORY_MIB));
  if (memoryMiB > maxMemoryMiB) {
    throw new JobRejected(
      `The task asks for ${memoryMiB} MiB of memory, more than the ${maxMemoryMiB} MiB one job may use on this agent.`,
    );
  }
  // 0 or empty is "not set", as the webapp's default of 1024 MiB is meant
  const diskMiB = readNumber(limits, 'disk', DEFAULT_DISK_MIB) || DEFAULT_DISK_MIB;
  const runCmd = parameters.run_cmd ?? '';
  if (typeof runCmd !== 'string') throw new JobRejected('The task parameters cannot be read: "run_cmd" must be text.');
  return {
    limits: interactive || ideDebugger
      ? { cpuSeconds: INTERACTIVE_LIMIT_SECONDS, wallSeconds: INTERACTIVE_LIMIT_SECONDS, memoryMiB }
      : { cpuSeconds, wallSeconds, memoryMiB },
    diskMiB,
    networkGrading: Boolean(parameters.network_grading ?? false) || ideDebugger,
    runCmd,
  };
}

function readNumber(map: Record<string, unknown>, key: string, fallback: number): number {
  const raw = map[key];
  // Task files often say `hard_time: ""`: empty means "not set", as Python's `value or default` reads it.
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return fallback;
  const value = typeof raw === 'bigint' ? Number(raw) : typeof raw === 'string' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new JobRejected(`The task parameters cannot be read: limits.${key} must be a non-negative number, not ${JSON.stringify(cut(String(raw)))}.`);
  }
  return Math.floor(value);
}
