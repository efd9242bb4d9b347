import { describe, expect, it } from 'vitest';
import type { LedgerSummary } from './soak-ledger';
import { type SoakFacts, soakReport } from './soak-report';
import { UsageSeries } from './usage-series';

const clean: LedgerSummary = {
  submitted: 2, ended: 2, cases: [{ name: 'success', expected: 'success', actual: { success: 2 }, latenciesMs: [100, 300] }],
  mismatches: [], excused: { agent: 1 }, lost: [], duplicated: [], latenciesMs: [100, 300],
};
const none = { containers: [], jobFolders: [], ports: [], warmPool: 0 };

function facts(overrides: Partial<SoakFacts> = {}): SoakFacts {
  const series = new UsageSeries('soak-agent-1', 1);
  series.samples.push({ t: 0, rssMiB: 100, cpuSeconds: 0 }, { t: 30, rssMiB: 100, cpuSeconds: 0.3 }, { t: 60, rssMiB: 100, cpuSeconds: 0.6 });
  return {
    title: 't', seconds: 10, summary: clean, chaos: [{ kind: 'agent', agent: 'soak-agent-1', seconds: 7, detail: 'recovered' }],
    chaosFailures: [], pongMaxMs: 12, ignoredAgentDones: 0, usage: [series], logBytes: { 'soak-agent-1': 2048 },
    leftovers: none, leftoversAfterStop: none, ...overrides,
  };
}

describe('soak report', () => {
  it('passes when nothing is lost, duplicated, mismatched or leaked, and shows the figures', () => {
    const { text, passed } = soakReport(facts());
    expect(passed).toBe(true);
    expect(text).toContain('p50 100 ms, p95 300 ms, max 300 ms');
    expect(text).toContain('Pong max: 12 ms');
    expect(text).toContain('chaos-caused crashes (excused): 1 (agent 1)');
    expect(text).toContain('RSS 100 → 100 MiB (max 100; slope after 20 s +0.00 MiB/min over 2 samples, over the second half +0.00 MiB/min), CPU 1.0 %');
    expect(text).toContain('RESULT: PASS — lost 0, duplicated 0, mismatched 0, leaked 0, chaos-excused 1');
  });

  it('counts an idle warm pool apart, not as a leak', () => {
    const { text, passed } = soakReport(facts({ leftovers: { ...none, warmPool: 2 } }));
    expect(passed).toBe(true);
    expect(text).toContain('leftovers when idle: none (0 containers, 0 job folders, 0 ports); warm pool (kept on purpose): 2 idle containers and their folders');
  });

  it.each([
    ['a lost job', { summary: { ...clean, lost: ['j'] } }],
    ['a duplicated AgentJobDone', { summary: { ...clean, duplicated: ['j'] } }],
    ['a mismatch', { summary: { ...clean, mismatches: [{ jobId: 'j', name: 'success', expected: 'success', actual: 'crash', text: 'x' }] } }],
    ['a leftover container', { leftovers: { ...none, containers: ['c'] } }],
    ['a job folder left after stop', { leftoversAfterStop: { ...none, jobFolders: ['/w/j'] } }],
    ['a port still taken', { leftovers: { ...none, ports: [43000] } }],
    ['chaos the agents did not recover from', { chaosFailures: ['agent@soak-agent-1: not registered again'] }],
  ] as Array<[string, Partial<SoakFacts>]>)('fails with %s', (_, overrides) => {
    const { text, passed } = soakReport(facts(overrides));
    expect(passed).toBe(false);
    expect(text).toContain('RESULT: FAIL');
  });
});
