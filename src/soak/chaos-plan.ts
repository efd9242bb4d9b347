import type { ChaosKind } from './soak-options';

export interface ChaosEvent {
  /** fires when this many jobs have been submitted */
  atJob: number;
  kind: ChaosKind;
  /** the agent hit (agent and containers chaos); backend and dockerd chaos hit them all */
  agent?: number;
}

/** One event of each kind per this many jobs (at least one each). */
const JOBS_PER_EVENT = 250;

/**
 * When each chaos event fires: every kind asked for, once per JOBS_PER_EVENT jobs (at least once), at random moments
 * between 10 % and 80 % of the run; agent-level events take the agents in turn, so one agent at a time is hit.
 */
export function planChaos(kinds: readonly ChaosKind[], jobs: number, agents: number, random: () => number): ChaosEvent[] {
  const perKind = Math.max(1, Math.round(jobs / JOBS_PER_EVENT));
  const events: ChaosEvent[] = [];
  let nextAgent = 0;
  for (const kind of kinds) {
    for (let i = 0; i < perKind; i++) {
      const atJob = Math.max(1, Math.floor(jobs * (0.1 + 0.7 * random())));
      const targetsOneAgent = kind === 'agent' || kind === 'containers';
      events.push({ atJob, kind, ...(targetsOneAgent ? { agent: nextAgent++ % agents } : {}) });
    }
  }
  return events.sort((a, b) => a.atJob - b.atJob);
}

/** A small seeded generator (mulberry32), so that a soak can be replayed with --seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
