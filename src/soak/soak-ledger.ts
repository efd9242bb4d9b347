import type { ReceivedJobDone } from '../demo/received-job-done';
import type { SoakCase } from './soak-mix';
import type { ChaosKind } from './soak-options';

interface JobRecord {
  jobId: string;
  soakCase: SoakCase;
  submittedAt: number;
  agent?: string;
  sentAt?: number;
  endedAt?: number;
  result?: string;
  text?: string;
  agentDones: number;
}

/** A time during which chaos may end jobs of these agents (undefined: every agent) as crash. */
interface Disturbance {
  kind: ChaosKind;
  agents?: string[];
  from: number;
  to?: number;
}

export interface CaseSummary {
  name: string;
  expected: string;
  /** actual result → count (chaos-excused crashes apart) */
  actual: Record<string, number>;
  latenciesMs: number[];
}

export interface Mismatch {
  jobId: string;
  name: string;
  expected: string;
  actual: string;
  text: string;
}

export interface LedgerSummary {
  submitted: number;
  ended: number;
  cases: CaseSummary[];
  mismatches: Mismatch[];
  excused: Partial<Record<ChaosKind, number>>;
  lost: string[];
  duplicated: string[];
  latenciesMs: number[];
}

/**
 * Everything the soak knows about its jobs: what each should give, where it went, how it ended and how many
 * AgentJobDone the agents sent for it, and when chaos was at work. A crash (or a case's `chaosMayGive` feedback) is
 * excused, and counted apart, only when chaos could have caused it: the job's container was removed, or its agent was
 * disturbed while it ran.
 */
export class SoakLedger {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly disturbances: Disturbance[] = [];
  private readonly removedContainersOf = new Set<string>();

  submitted(jobId: string, soakCase: SoakCase, now: number): void {
    this.jobs.set(jobId, { jobId, soakCase, submittedAt: now, agentDones: 0 });
  }

  sent(jobId: string, agent: string, now: number): void {
    const job = this.jobs.get(jobId);
    if (job) Object.assign(job, { agent, sentAt: now });
  }

  agentDone(jobId: string): void {
    const job = this.jobs.get(jobId);
    if (job) job.agentDones++;
  }

  ended(jobId: string, done: ReceivedJobDone, now: number): void {
    const job = this.jobs.get(jobId);
    if (job && job.endedAt === undefined) Object.assign(job, { endedAt: now, result: done.result[0], text: done.result[1] });
  }

  /** Chaos begins; call the returned function when its effects are over. */
  disturb(kind: ChaosKind, agents: string[] | undefined, now: number): (end: number) => void {
    const disturbance: Disturbance = { kind, agents, from: now };
    this.disturbances.push(disturbance);
    return (end) => (disturbance.to = end);
  }

  containerRemoved(jobId: string): void {
    this.removedContainersOf.add(jobId);
  }

  get inFlight(): number {
    return [...this.jobs.values()].filter((job) => job.endedAt === undefined).length;
  }

  get endedCount(): number {
    return this.jobs.size - this.inFlight;
  }

  summary(): LedgerSummary {
    const cases = new Map<string, CaseSummary>();
    const summary: LedgerSummary = { submitted: this.jobs.size, ended: 0, cases: [], mismatches: [], excused: {}, lost: [], duplicated: [], latenciesMs: [] };
    for (const job of this.jobs.values()) {
      if (job.agentDones > 1) summary.duplicated.push(job.jobId);
      if (job.endedAt === undefined || job.result === undefined) {
        summary.lost.push(job.jobId);
        continue;
      }
      summary.ended++;
      const expected = job.soakCase.expect;
      const row = cases.get(job.soakCase.name) ?? { name: job.soakCase.name, expected: expected.result, actual: {}, latenciesMs: [] };
      cases.set(job.soakCase.name, row);
      const chaosLike = job.result === 'crash' || (job.soakCase.chaosMayGive?.test(job.text ?? '') ?? false);
      const excuse = chaosLike ? this.excuseFor(job) : undefined;
      if (excuse) {
        summary.excused[excuse] = (summary.excused[excuse] ?? 0) + 1;
        continue;
      }
      row.actual[job.result] = (row.actual[job.result] ?? 0) + 1;
      const latency = job.endedAt - (job.sentAt ?? job.submittedAt);
      row.latenciesMs.push(latency);
      summary.latenciesMs.push(latency);
      const text = job.text ?? '';
      if (job.result !== expected.result || (expected.text && !expected.text.test(text))) {
        summary.mismatches.push({
          jobId: job.jobId,
          name: job.soakCase.name,
          expected: `${expected.result}${expected.text ? ` ${expected.text}` : ''}`,
          actual: job.result,
          text,
        });
      }
    }
    summary.cases = [...cases.values()];
    return summary;
  }

  private excuseFor(job: JobRecord): ChaosKind | undefined {
    if (this.removedContainersOf.has(job.jobId)) return 'containers';
    const from = job.sentAt ?? job.submittedAt;
    const to = job.endedAt as number;
    return this.disturbances.find(
      (d) => d.from <= to && (d.to === undefined || d.to >= from) && (!d.agents || (job.agent !== undefined && d.agents.includes(job.agent))),
    )?.kind;
  }
}
