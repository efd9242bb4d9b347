import { type BenchAgent, type BenchTask } from './agent-run';

export interface InterleavedSettings {
  sequential: number;
  /** pause between sequential jobs: a warm pool refills meanwhile, as it does between real submissions */
  gapMs: number;
  /** jobs per saturation round, run back to back at the agents' concurrency */
  parallel: number;
  rounds: number;
  concurrency: number;
}

/** What one agent did for one task. */
export interface TaskMeasures {
  latenciesMs: number[];
  /** throughput while every slot holds a job (see `saturate`) */
  jobsPerSecond: number;
  /** every job measured, sequential and saturated */
  jobIds: Set<string>;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** the agent that goes first changes every turn, so neither always runs just after the other's work */
const inTurn = <T>(agents: T[], turn: number): T[] => (turn % 2 ? [...agents].reverse() : agents);

/**
 * The cold and the warm agent take turns on one task: a warm-up job each, then `sequential` jobs each one at a time
 * (alternating), then `rounds` saturation rounds each (alternating). Running them in turns, not one after the other,
 * keeps a slow minute of the machine from landing on one agent only.
 */
export async function measureInTurns(agents: BenchAgent[], task: BenchTask, settings: InterleavedSettings): Promise<TaskMeasures[]> {
  const runs = agents.map((agent) => ({ agent, latenciesMs: [] as number[], jobIds: new Set<string>(), jobs: 0, seconds: 0 }));
  for (const agent of agents) await agent.runJob(task); // warm-up (and, warm, the pool learns the environment)
  await pause(settings.gapMs);
  for (let turn = 0; turn < settings.sequential; turn++) {
    for (const run of inTurn(runs, turn)) {
      const { ms, jobId } = await run.agent.runJob(task);
      run.latenciesMs.push(ms);
      run.jobIds.add(jobId);
      await pause(settings.gapMs);
    }
  }
  for (let turn = 0; turn < settings.rounds; turn++) {
    for (const run of inTurn(runs, turn)) {
      const round = await saturate(run.agent, task, settings, run.jobIds);
      run.jobs += round.jobs;
      run.seconds += round.seconds;
      await pause(3 * settings.gapMs); // a warm pool refills before the other agent's turn, not during it
    }
  }
  return runs.map(({ latenciesMs, jobIds, jobs, seconds }) => ({ latenciesMs, jobIds, jobsPerSecond: jobs / seconds }));
}

/**
 * `parallel` jobs back to back at the agent's concurrency, counted only while every slot holds a job: from the
 * `concurrency`-th job done (the jobs going when the round began, which a warm agent starts from its full pool, do not
 * count) to the last one done while the last job was still to be sent (after it, slots free up, and a warm pool
 * rightly starts refilling beside the last jobs).
 */
async function saturate(agent: BenchAgent, task: BenchTask, settings: InterleavedSettings, jobIds: Set<string>): Promise<{ jobs: number; seconds: number }> {
  const doneAt: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next++ < settings.parallel) {
      jobIds.add((await agent.runJob(task)).jobId);
      doneAt.push(performance.now());
    }
  };
  await Promise.all(Array.from({ length: settings.concurrency }, worker));
  const first = settings.concurrency - 1;
  const last = doneAt.length - settings.concurrency;
  return { jobs: last - first, seconds: (doneAt[last] - doneAt[first]) / 1000 };
}
