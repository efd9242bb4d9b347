import { describe, expect, it } from 'vitest';
import { planChaos, seededRandom } from './chaos-plan';

describe('chaos plan', () => {
  it('a short run: one event of each kind asked, inside the run, in order', () => {
    const events = planChaos(['backend', 'agent', 'containers'], 60, 2, seededRandom(1));
    expect(events.map((e) => e.kind).sort()).toEqual(['agent', 'backend', 'containers']);
    for (const event of events) {
      expect(event.atJob).toBeGreaterThanOrEqual(6);
      expect(event.atJob).toBeLessThanOrEqual(48);
    }
    expect(events.map((e) => e.atJob)).toEqual([...events.map((e) => e.atJob)].sort((a, b) => a - b));
    expect(events.find((e) => e.kind === 'backend')?.agent).toBeUndefined();
  });

  it('agent-level events take the agents in turn; dockerd only when asked', () => {
    const events = planChaos(['agent', 'containers'], 1000, 2, seededRandom(2));
    expect(events).toHaveLength(8);
    const targets = events.map((e) => e.agent);
    expect(targets.filter((a) => a === 0)).toHaveLength(4);
    expect(targets.filter((a) => a === 1)).toHaveLength(4);
    expect(planChaos(['backend', 'agent'], 1000, 2, seededRandom(3)).some((e) => e.kind === 'dockerd')).toBe(false);
    expect(planChaos(['dockerd'], 10, 1, seededRandom(3))).toEqual([{ atJob: expect.any(Number), kind: 'dockerd' }]);
  });

  it('the same seed gives the same plan', () => {
    expect(planChaos(['backend'], 500, 1, seededRandom(9))).toEqual(planChaos(['backend'], 500, 1, seededRandom(9)));
  });
});
