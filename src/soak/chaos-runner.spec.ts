import { describe, expect, it, vi } from 'vitest';
import { ChaosRunner, type ChaosActions } from './chaos-runner';
import { SoakLedger } from './soak-ledger';
import type { SoakCase } from './soak-mix';

const hello: SoakCase = { name: 'success', course: 'sample', task: 'hello', expect: { result: 'success' } };

function fakeActions() {
  return {
    agentName: vi.fn((i: number) => `agent-${i + 1}`),
    restartBackend: vi.fn(async () => undefined),
    restartAgent: vi.fn(async () => undefined),
    removeContainers: vi.fn(async () => ['j-removed']),
    restartDockerd: vi.fn(async () => undefined),
    settled: vi.fn(async (_agents: string[] | undefined, _since: number) => undefined),
  } satisfies ChaosActions;
}

describe('chaos runner', () => {
  it('each kind calls its own action on its own target, one event at a time; dockerd only for a dockerd event', async () => {
    const actions = fakeActions();
    let clock = 0;
    const runner = new ChaosRunner(actions, new SoakLedger(), () => (clock += 10), () => undefined);
    runner.fire({ atJob: 1, kind: 'backend' });
    runner.fire({ atJob: 2, kind: 'agent', agent: 1 });
    runner.fire({ atJob: 3, kind: 'containers', agent: 0 });
    await runner.idle();
    expect(actions.restartBackend).toHaveBeenCalledOnce();
    expect(actions.restartAgent).toHaveBeenCalledWith(1);
    expect(actions.removeContainers).toHaveBeenCalledWith(0);
    expect(actions.restartDockerd).not.toHaveBeenCalled();
    expect(actions.settled.mock.calls.map((call) => call[0])).toEqual([undefined, ['agent-2']]);
    runner.fire({ atJob: 4, kind: 'dockerd' });
    await runner.idle();
    expect(actions.restartDockerd).toHaveBeenCalledOnce();
    // after a Docker restart the agents' existing registrations count: their heartbeat never waited on Docker
    expect(actions.settled.mock.calls.map((call) => call[1])).toEqual([10, 40, 0]);
    expect(runner.done.map((d) => d.event.kind)).toEqual(['backend', 'agent', 'containers', 'dockerd']);
  });

  it('the jobs chaos touched are excused in the ledger: removed containers, and the hit agent while it recovered', async () => {
    const actions = fakeActions();
    const ledger = new SoakLedger();
    let clock = 100;
    const runner = new ChaosRunner(actions, ledger, () => clock, () => undefined);
    for (const [jobId, agent] of [['j-removed', 'agent-1'], ['j-on-2', 'agent-2'], ['j-on-1', 'agent-1']]) {
      ledger.submitted(jobId, hello, 50);
      ledger.sent(jobId, agent, 50);
    }
    runner.fire({ atJob: 1, kind: 'containers', agent: 0 });
    runner.fire({ atJob: 1, kind: 'agent', agent: 1 });
    await runner.idle();
    clock = 200;
    const crash = (jobId: string) => ledger.ended(jobId, { job_id: jobId, result: ['crash', 'x'] } as never, 150);
    ['j-removed', 'j-on-2', 'j-on-1'].forEach(crash);
    const summary = ledger.summary();
    expect(summary.excused).toEqual({ containers: 1, agent: 1 });
    expect(summary.mismatches.map((m) => m.jobId)).toEqual(['j-on-1']);
  });

  it('a failing action is reported and the next event still runs', async () => {
    const actions = fakeActions();
    actions.restartBackend.mockRejectedValueOnce(new Error('bind refused'));
    const lines: string[] = [];
    const runner = new ChaosRunner(actions, new SoakLedger(), () => 0, (line) => lines.push(line));
    runner.fire({ atJob: 1, kind: 'backend' });
    runner.fire({ atJob: 2, kind: 'agent', agent: 0 });
    await runner.idle();
    expect(lines).toContain('chaos backend failed: bind refused');
    expect(runner.failed).toEqual([{ event: { atJob: 1, kind: 'backend' }, error: 'bind refused' }]);
    expect(actions.restartAgent).toHaveBeenCalledOnce();
  });
});
