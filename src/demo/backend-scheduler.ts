import type { AgentHello } from '../backend/backend.messages';
import type { ReceivedJobDone } from './received-job-done';

export type SubmittedJob = Record<string, unknown> & { job_id: string; environment_type: string; environment: string };

/** What the scheduler asks of the transport and tells its client (the demo, the bench, the soak). */
export interface SchedulerEffects {
  toAgent(agent: string, message: Record<string, unknown>): void;
  /** The job's end for the client: the agent's AgentJobDone, or what the backend decided in its place. */
  jobEnded(jobId: string, done: ReceivedJobDone): void;
  jobSent?(jobId: string, agent: string, agentName: string): void;
  agentDropped?(agent: string, agentName: string, jobIds: string[]): void;
}

interface Agent {
  name: string;
  environments: Set<string>;
  unansweredPings: number;
}

/** More unanswered pings than this and the agent is dropped, as INGInious' backend does. */
const MAX_UNANSWERED_PINGS = 5;

/**
 * The job scheduling of INGInious' backend (`inginious/backend/backend.py`), without its I/O: one entry per free job
 * slot in announcement order, each filled with the oldest waiting job the agent has the environment for; an agent
 * that says hello again, or leaves more than five pings unanswered, is dropped and each of its running jobs ends as
 * `crash` "Agent restarted"; an AgentJobDone counts only from a registered agent for a running job.
 */
export class BackendScheduler {
  private readonly agents = new Map<string, Agent>();
  private freeSlots: string[] = [];
  private readonly waiting: SubmittedJob[] = [];
  private readonly running = new Map<string, { agent: string; job: SubmittedJob }>();

  constructor(private readonly effects: SchedulerEffects) {}

  hello(agent: string, hello: AgentHello): void {
    if (this.agents.has(agent)) this.drop(agent);
    const environments = new Set<string>();
    for (const [envtype, names] of Object.entries(hello.available_environments)) {
      for (const name of Object.keys(names)) environments.add(`${envtype}/${name}`);
    }
    this.agents.set(agent, { name: hello.friendly_name, environments, unansweredPings: 0 });
    for (let i = 0; i < hello.available_job_slots; i++) this.freeSlots.push(agent);
    this.dispatch();
  }

  submit(job: SubmittedJob): void {
    if (this.running.has(job.job_id) || this.waiting.some((w) => w.job_id === job.job_id)) {
      this.effects.jobEnded(job.job_id, backendDone(job.job_id, 'crash', 'Duplicate job id', ''));
      return;
    }
    this.waiting.push(job);
    this.dispatch();
  }

  /** A client's kill: a waiting job ends at once; a running one is killed by its agent. */
  kill(jobId: string): void {
    const index = this.waiting.findIndex((w) => w.job_id === jobId);
    if (index >= 0) {
      const [job] = this.waiting.splice(index, 1);
      this.effects.jobEnded(jobId, backendDone(jobId, 'killed', 'You killed the job', stateOf(job)));
      return;
    }
    const running = this.running.get(jobId);
    if (running) this.effects.toAgent(running.agent, { '@type': 'BackendKillJob', job_id: jobId, state: stateOf(running.job) });
  }

  /** @returns whether the backend took it (false: unknown agent or job, ignored as INGInious does) */
  jobDone(agent: string, done: ReceivedJobDone): boolean {
    if (!this.agents.has(agent) || !this.running.has(done.job_id)) return false;
    this.running.delete(done.job_id);
    this.freeSlots.push(agent);
    this.effects.jobEnded(done.job_id, done);
    this.dispatch();
    return true;
  }

  pong(agent: string): void {
    const known = this.agents.get(agent);
    if (known) known.unansweredPings = 0;
  }

  /** One heartbeat round: drops the silent agents, returns the ones to ping now. */
  pingRound(): string[] {
    const toPing: string[] = [];
    for (const [id, agent] of [...this.agents]) {
      if (agent.unansweredPings > MAX_UNANSWERED_PINGS) this.drop(id);
      else {
        agent.unansweredPings++;
        toPing.push(id);
      }
    }
    return toPing;
  }

  /** The agents registered now. */
  registered(): string[] {
    return [...this.agents.keys()];
  }

  agentName(agent: string): string | undefined {
    return this.agents.get(agent)?.name;
  }

  get pending(): number {
    return this.waiting.length + this.running.size;
  }

  private drop(agent: string): void {
    const name = this.agents.get(agent)?.name ?? '?';
    this.agents.delete(agent);
    this.freeSlots = this.freeSlots.filter((slot) => slot !== agent);
    const lost = [...this.running].filter(([, r]) => r.agent === agent).map(([jobId]) => jobId);
    this.effects.agentDropped?.(agent, name, lost);
    for (const jobId of lost) {
      this.running.delete(jobId);
      this.effects.jobEnded(jobId, backendDone(jobId, 'crash', 'Agent restarted', ''));
    }
    this.dispatch();
  }

  private dispatch(): void {
    for (const agent of [...this.freeSlots]) {
      if (this.waiting.length === 0) return;
      const environments = this.agents.get(agent)?.environments;
      const index = this.waiting.findIndex((job) => environments?.has(`${job.environment_type}/${job.environment}`));
      if (index < 0) continue;
      const [job] = this.waiting.splice(index, 1);
      this.freeSlots.splice(this.freeSlots.indexOf(agent), 1);
      this.running.set(job.job_id, { agent, job });
      this.effects.jobSent?.(job.job_id, agent, this.agents.get(agent)?.name ?? '?');
      this.effects.toAgent(agent, { ...job, '@type': 'BackendNewJob' });
    }
  }
}

function stateOf(job: SubmittedJob): string {
  const state = (job.inputdata as Record<string, unknown> | undefined)?.['@state'];
  return typeof state === 'string' ? state : '';
}

function backendDone(jobId: string, result: string, text: string, state: string): ReceivedJobDone {
  return {
    job_id: jobId, result: [result, text] as ReceivedJobDone['result'], grade: 0, problems: {}, tests: {}, custom: {},
    state, archive: null, stdout: null, stderr: null, '@type': 'AgentJobDone',
  };
}
