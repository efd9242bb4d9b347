/** A `run_student` message of a grading container (wire.md §3), read and checked. */
export interface RunStudentRequest {
  /** undefined: the parent's environment */
  environment?: string;
  /** 0 or absent: the parent's limit */
  cpuSeconds: number;
  wallSeconds: number;
  memoryMiB: number;
  shareNetwork: boolean;
  socketId: string;
  ssh: boolean;
  runAsRoot: boolean;
}

export type RunStudentReading =
  | { ok: true; request: RunStudentRequest }
  /** `socketId` is set when the message still names a usable socket id to answer on */
  | { ok: false; reason: string; socketId?: string };

/** Reads a `run_student` message; a malformed one is refused, never thrown. */
export function readRunStudentRequest(message: Record<string, unknown>): RunStudentReading {
  const socketId = message.socket_id;
  if (typeof socketId !== 'string' || socketId === '') return { ok: false, reason: 'socket_id is not a non-empty string' };
  // the id names a file in the job's sockets folder: a "/" would let a grading script reach any host path
  if (socketId.includes('/')) return { ok: false, reason: 'socket_id contains "/"', socketId };
  const refuse = (reason: string): RunStudentReading => ({ ok: false, reason, socketId });

  const environment = message.environment;
  if (environment !== undefined && environment !== null && typeof environment !== 'string') {
    return refuse('environment is neither text nor nil');
  }
  const limits: Record<'time_limit' | 'hard_time_limit' | 'memory_limit', number> = { time_limit: 0, hard_time_limit: 0, memory_limit: 0 };
  for (const key of Object.keys(limits) as (keyof typeof limits)[]) {
    const value = readLimit(message[key]);
    if (value === undefined) return refuse(`${key} is not a non-negative integer or nil`);
    limits[key] = value;
  }
  const flags: Record<'share_network' | 'ssh' | 'run_as_root', boolean> = { share_network: false, ssh: false, run_as_root: false };
  for (const key of Object.keys(flags) as (keyof typeof flags)[]) {
    const value = message[key] ?? false;
    if (typeof value !== 'boolean') return refuse(`${key} is not a boolean`);
    flags[key] = value;
  }
  return {
    ok: true,
    request: {
      environment: environment || undefined,
      cpuSeconds: limits.time_limit,
      wallSeconds: limits.hard_time_limit,
      memoryMiB: limits.memory_limit,
      shareNetwork: flags.share_network,
      socketId,
      ssh: flags.ssh,
      runAsRoot: flags.run_as_root,
    },
  };
}

function readLimit(raw: unknown): number | undefined {
  if (raw === undefined || raw === null) return 0;
  const value = typeof raw === 'bigint' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) return undefined;
  return value;
}
