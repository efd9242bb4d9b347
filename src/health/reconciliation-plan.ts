import type { OwnedContainer } from '../docker/docker.types';

/** A grading container the agent believes is running: its job is open, not closing and not known to be dead. */
export interface TrackedContainer {
  containerId: string;
  jobId: string;
}

/** What the agent believes, next to what Docker says, at one health check. */
export interface ReconciliationView {
  tracked: readonly TrackedContainer[];
  /** every job in the registry, closing or not: the containers labelled with one of them are never orphans */
  openJobIds: ReadonlySet<string>;
  /** containers the warm pool held (idle, no job yet) before Docker was asked for its list: never orphans */
  pooledIds: ReadonlySet<string>;
  /** every container labelled as this agent's, whatever its state */
  containers: readonly OwnedContainer[];
}

/** What one check passes to the next. */
export interface ReconciliationMemory {
  /** tracked container id → when a check first found it missing (ms) */
  missingSince: ReadonlyMap<string, number>;
  /** ids of the orphans the previous check saw */
  orphansSeen: ReadonlySet<string>;
}

export interface ReconciliationPlan {
  /** tracked containers missing for at least the grace: their jobs are closed as a crash */
  vanished: TrackedContainer[];
  /** containers of this agent that no job owns, seen so by two checks in a row: removed */
  remove: OwnedContainer[];
  /** containers the warm pool holds that are no longer running (their death missed, e.g. across a dockerd restart) */
  deadInPool: string[];
  memory: ReconciliationMemory;
}

export const EMPTY_MEMORY: ReconciliationMemory = { missingSince: new Map(), orphansSeen: new Set() };

/** Docker states in which a container still is, or is about to be, running. */
const ALIVE_STATES = new Set(['created', 'running', 'paused', 'restarting']);

/**
 * Compares the agent's belief with Docker's list. As the Python agent's check does, a container that exists but is no
 * longer running counts as missing: after a dockerd restart the container is still listed (exited), but its death
 * may never reach the event stream. Orphans need a second sighting so that nothing in flight is removed on one look.
 */
export function planReconciliation(
  view: ReconciliationView,
  memory: ReconciliationMemory,
  nowMs: number,
  graceMs: number,
): ReconciliationPlan {
  const alive = new Set(view.containers.filter((c) => ALIVE_STATES.has(c.state)).map((c) => c.id));
  const vanished: TrackedContainer[] = [];
  const missingSince = new Map<string, number>();
  for (const tracked of view.tracked) {
    if (alive.has(tracked.containerId)) continue;
    const since = memory.missingSince.get(tracked.containerId) ?? nowMs;
    if (nowMs - since >= graceMs) vanished.push(tracked);
    else missingSince.set(tracked.containerId, since);
  }

  const trackedIds = new Set(view.tracked.map((t) => t.containerId));
  const orphans = view.containers.filter(
    (c) => !trackedIds.has(c.id) && !view.pooledIds.has(c.id) && !(c.jobId !== undefined && view.openJobIds.has(c.jobId)),
  );
  return {
    vanished,
    remove: orphans.filter((c) => memory.orphansSeen.has(c.id)),
    deadInPool: [...view.pooledIds].filter((id) => !alive.has(id)),
    memory: { missingSince, orphansSeen: new Set(orphans.map((c) => c.id)) },
  };
}
