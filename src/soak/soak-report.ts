import { percentile } from '../bench/process-usage';
import type { LedgerSummary } from './soak-ledger';
import type { Leftovers } from './leftovers';
import type { UsageSeries } from './usage-series';
import { slope } from './usage-series';
import { textTable } from '../demo/text-table';

export interface SoakFacts {
  title: string;
  seconds: number;
  summary: LedgerSummary;
  chaos: Array<{ kind: string; agent?: string; seconds: number; detail: string }>;
  chaosFailures: string[];
  pongMaxMs: number;
  ignoredAgentDones: number;
  usage: UsageSeries[];
  logBytes: Record<string, number>;
  leftovers: Leftovers;
  leftoversAfterStop: Leftovers;
}

/** Samples before this many seconds of a process's life are its warm-up, left out of the slope. */
const WARM_UP_S = 20;
const TIMELINE_POINTS = 8;

/** The soak's final report, and whether it passed: nothing lost, duplicated, mismatched or leaked. */
export function soakReport(facts: SoakFacts): { text: string; passed: boolean } {
  const { summary } = facts;
  const lines: string[] = [`== soak report: ${facts.title}`, ''];
  const latencies = summary.latenciesMs;
  const excused = Object.values(summary.excused).reduce((a, b) => a + (b ?? 0), 0);
  lines.push(`jobs: ${summary.submitted} submitted, ${summary.ended} ended in ${facts.seconds.toFixed(0)} s (${(summary.ended / facts.seconds).toFixed(2)} jobs/s)`);
  if (latencies.length > 0) {
    lines.push(`latency (backend → AgentJobDone, chaos-excused jobs apart): p50 ${fmt(percentile(latencies, 50))} ms, p95 ${fmt(percentile(latencies, 95))} ms, max ${fmt(Math.max(...latencies))} ms`);
  }
  lines.push(`Pong max: ${fmt(facts.pongMaxMs)} ms`, '');

  lines.push(textTable(
    ['case', 'expected', 'actual', 'p50 ms'],
    summary.cases.map((c) => [c.name, c.expected, Object.entries(c.actual).map(([r, n]) => `${r} ${n}`).join(', '), c.latenciesMs.length ? fmt(percentile(c.latenciesMs, 50)) : '-']),
  ), '');

  lines.push(`mismatched: ${summary.mismatches.length}`);
  for (const m of summary.mismatches) lines.push(`  ${m.jobId} ${m.name}: expected ${m.expected}, got ${m.actual} "${oneLine(m.text)}"`);
  lines.push(`lost (no end): ${summary.lost.length}${list(summary.lost)}`);
  lines.push(`duplicated AgentJobDone: ${summary.duplicated.length}${list(summary.duplicated)}`);
  lines.push(`chaos-caused crashes (excused): ${excused}${excused ? ` (${Object.entries(summary.excused).map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}`);
  lines.push(`late AgentJobDone ignored by the backend (from a dropped or unknown registration, as INGInious does): ${facts.ignoredAgentDones}`);
  if (facts.chaosFailures.length) lines.push(`chaos FAILED (no recovery): ${facts.chaosFailures.join('; ')}`);
  lines.push(`chaos events: ${facts.chaos.length ? facts.chaos.map((c) => `${c.kind}${c.agent ? `@${c.agent}` : ''} (${c.detail}, ${c.seconds.toFixed(1)} s)`).join('; ') : 'none'}`, '');

  lines.push('agents (one row per process; a restarted agent is a new process):');
  for (const series of facts.usage) lines.push(`  ${usageLine(series)}`);
  lines.push(`  log bytes: ${Object.entries(facts.logBytes).map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(0)} KiB`).join(', ')}`, '');

  const leaked = leakCount(facts.leftovers) + leakCount(facts.leftoversAfterStop);
  lines.push(`leftovers when idle: ${leftoverText(facts.leftovers)}`);
  lines.push(`leftovers after the agents stopped: ${leftoverText(facts.leftoversAfterStop)}`);

  const passed =
    summary.lost.length === 0 && summary.duplicated.length === 0 && summary.mismatches.length === 0 && leaked === 0 && facts.chaosFailures.length === 0;
  lines.push('', `RESULT: ${passed ? 'PASS' : 'FAIL'} — lost ${summary.lost.length}, duplicated ${summary.duplicated.length}, mismatched ${summary.mismatches.length}, leaked ${leaked}, chaos-excused ${excused}`);
  return { text: lines.join('\n'), passed };
}

function usageLine(series: UsageSeries): string {
  const samples = series.samples;
  if (samples.length === 0) return `${series.agent} pid ${series.pid}: no sample`;
  const first = samples[0];
  const last = samples[samples.length - 1];
  const settled = samples.filter((s) => s.t - first.t >= WARM_UP_S);
  const perMinute = slope(settled.map((s) => [s.t / 60, s.rssMiB] as const));
  const secondHalf = slope(samples.slice(Math.floor(samples.length / 2)).map((s) => [s.t / 60, s.rssMiB] as const));
  const cpuPercent = last.t > first.t ? ((last.cpuSeconds - first.cpuSeconds) / (last.t - first.t)) * 100 : 0;
  const step = Math.max(1, Math.floor(samples.length / TIMELINE_POINTS));
  const timeline = samples.filter((_, i) => i % step === 0).map((s) => s.rssMiB.toFixed(0)).join(' ');
  return (
    `${series.agent} pid ${series.pid}, ${(last.t - first.t).toFixed(0)} s: RSS ${first.rssMiB.toFixed(0)} → ${last.rssMiB.toFixed(0)} MiB ` +
    `(max ${Math.max(...samples.map((s) => s.rssMiB)).toFixed(0)}; slope after ${WARM_UP_S} s ${signed(perMinute)} MiB/min over ${settled.length} samples, ` +
    `over the second half ${signed(secondHalf)} MiB/min), ` +
    `CPU ${cpuPercent.toFixed(1)} % (${(last.cpuSeconds - first.cpuSeconds).toFixed(1)} s); RSS over time: ${timeline}`
  );
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;
}

function leakCount(leftovers: Leftovers): number {
  return leftovers.containers.length + leftovers.jobFolders.length + leftovers.ports.length;
}

function leftoverText(leftovers: Leftovers): string {
  const leaks =
    leakCount(leftovers) === 0
      ? 'none (0 containers, 0 job folders, 0 ports)'
      : `containers ${leftovers.containers.length}${list(leftovers.containers)}; job folders ${leftovers.jobFolders.length}${list(leftovers.jobFolders)}; ports ${leftovers.ports.length}${list(leftovers.ports.map(String))}`;
  return leftovers.warmPool > 0 ? `${leaks}; warm pool (kept on purpose): ${leftovers.warmPool} idle containers and their folders` : leaks;
}

function list(items: readonly string[]): string {
  return items.length ? ` (${items.slice(0, 10).join(', ')}${items.length > 10 ? ', …' : ''})` : '';
}

function fmt(ms: number): string {
  return ms.toFixed(0);
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}
