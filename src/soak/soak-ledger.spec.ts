import { describe, expect, it } from 'vitest';
import type { ReceivedJobDone } from '../demo/received-job-done';
import { SoakLedger } from './soak-ledger';
import type { SoakCase } from './soak-mix';

const hello: SoakCase = { name: 'success', course: 'sample', task: 'hello', expect: { result: 'success', text: /^Hello/ } };
const done = (jobId: string, result: string, text = ''): ReceivedJobDone =>
  ({ job_id: jobId, result: [result, text], grade: 0, problems: {}, tests: {}, custom: {}, state: '', archive: null, stdout: null, stderr: null, '@type': 'AgentJobDone' }) as ReceivedJobDone;

function run(ledger: SoakLedger, jobId: string, agent: string, from: number, to: number, result: string, text = '', soakCase = hello): void {
  ledger.submitted(jobId, soakCase, from);
  ledger.sent(jobId, agent, from);
  ledger.agentDone(jobId);
  ledger.ended(jobId, done(jobId, result, text), to);
}

describe('soak ledger', () => {
  it('counts outcomes by case with latencies, and reports every mismatch (result or text)', () => {
    const ledger = new SoakLedger();
    run(ledger, 'a', 'agent-1', 0, 100, 'success', 'Hello! You answered: soak');
    run(ledger, 'b', 'agent-1', 0, 300, 'success', 'Goodbye');
    run(ledger, 'c', 'agent-1', 0, 200, 'failed', 'Hello');
    const summary = ledger.summary();
    expect(summary.cases).toEqual([{ name: 'success', expected: 'success', actual: { success: 2, failed: 1 }, latenciesMs: [100, 300, 200] }]);
    expect(summary.mismatches.map((m) => m.jobId)).toEqual(['b', 'c']);
    expect(summary.lost).toEqual([]);
  });

  it('a job with no end is lost; two AgentJobDone for one job are a duplicate', () => {
    const ledger = new SoakLedger();
    ledger.submitted('a', hello, 0);
    run(ledger, 'b', 'agent-1', 0, 10, 'success', 'Hello');
    ledger.agentDone('b');
    const summary = ledger.summary();
    expect(summary.lost).toEqual(['a']);
    expect(summary.duplicated).toEqual(['b']);
  });

  it('a crash is excused only when chaos touched that job: its container, or its agent while it ran', () => {
    const ledger = new SoakLedger();
    const end = ledger.disturb('agent', ['agent-2'], 50);
    end(80);
    ledger.containerRemoved('removed');
    run(ledger, 'removed', 'agent-1', 0, 10, 'crash');
    run(ledger, 'on-agent-2', 'agent-2', 40, 60, 'crash', 'Agent restarted');
    run(ledger, 'on-agent-1', 'agent-1', 40, 60, 'crash', 'Agent restarted');
    run(ledger, 'after', 'agent-2', 90, 95, 'crash', 'Agent restarted');
    run(ledger, 'success-during', 'agent-2', 40, 60, 'success', 'Hello');
    const summary = ledger.summary();
    expect(summary.excused).toEqual({ containers: 1, agent: 1 });
    expect(summary.mismatches.map((m) => m.jobId)).toEqual(['on-agent-1', 'after']);
  });

  it('a case\'s chaosMayGive feedback (a student container lost: 254) is excused like a crash, and only under chaos', () => {
    const student: SoakCase = { ...hello, name: 'run_student exit7 → 7', expect: { result: 'success', text: /^retval=7 / }, chaosMayGive: /^retval=254 / };
    const ledger = new SoakLedger();
    ledger.disturb('dockerd', undefined, 50)(80);
    run(ledger, 'during', 'agent-1', 40, 60, 'success', 'retval=254 out=', student);
    run(ledger, 'after', 'agent-1', 90, 95, 'success', 'retval=254 out=', student);
    const summary = ledger.summary();
    expect(summary.excused).toEqual({ dockerd: 1 });
    expect(summary.mismatches.map((m) => m.jobId)).toEqual(['after']);
  });

  it('backend chaos disturbs every agent until it is over', () => {
    const ledger = new SoakLedger();
    ledger.disturb('backend', undefined, 50);
    run(ledger, 'x', 'agent-9', 100, 200, 'crash', 'Agent restarted');
    expect(ledger.summary().excused).toEqual({ backend: 1 });
  });
});
