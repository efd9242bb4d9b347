import { beforeEach, describe, expect, it } from 'vitest';
import { type FakeClock, flush } from '../../test/support/fake-clock';
import { type FakeCpuUsage, timeoutsUnderTest } from '../../test/support/timeouts-under-test';
import type { CpuReading } from './cpu-reading';
import type { TimeoutsService } from './timeouts.service';
import type { ExceededReason } from './watch-limits';

describe('TimeoutsService', () => {
  let clock: FakeClock;
  let cpu: FakeCpuUsage;
  let service: TimeoutsService;
  let fired: [string, ExceededReason][];
  let record: (id: string) => (reason: ExceededReason) => void;

  beforeEach(() => {
    ({ clock, cpu, service, fired, record } = timeoutsUnderTest());
  });

  describe('sweep period', () => {
    it('takes a first reading after the minimum period', async () => {
      service.watch('a', { cpuSeconds: 30, wallSeconds: 90 }, record('a'));
      expect(clock.pending()).toEqual([100]);
      await clock.advance(100);
      expect(cpu.reads).toEqual(['a']);
    });

    it('waits the maximum period when every container is far from its limits', async () => {
      service.watch('a', { cpuSeconds: 30, wallSeconds: 90 }, record('a'));
      await clock.advance(100);
      expect(clock.pending()).toEqual([2_100]);
    });

    it('comes back when the container could reach its CPU limit using every CPU', async () => {
      service.watch('a', { cpuSeconds: 30, wallSeconds: 90 }, record('a'));
      cpu.values.set('a', 29);
      await clock.advance(100);
      // 1 CPU-second left, at most 2 CPU-seconds per second → 500 ms
      expect(clock.pending()).toEqual([600]);
    });

    it('never sweeps more often than the minimum period', async () => {
      service.watch('a', { cpuSeconds: 30, wallSeconds: 90 }, record('a'));
      cpu.values.set('a', 29.99);
      await clock.advance(100);
      expect(clock.pending()).toEqual([200]);
    });

    it('follows the nearest of several containers', async () => {
      service.watch('far', { cpuSeconds: 30, wallSeconds: 90 }, record('far'));
      service.watch('near', { cpuSeconds: 10, wallSeconds: 90 }, record('near'));
      cpu.values.set('near', 9);
      await clock.advance(100);
      expect(cpu.reads.sort()).toEqual(['far', 'near']);
      expect(clock.pending()).toEqual([600]);
    });

    it('counts from the start of the sweep that took the reading', async () => {
      service.watch('a', { cpuSeconds: 30, wallSeconds: 90 }, record('a'));
      cpu.values.set('a', async () => {
        await clock.advance(300); // a slow read
        return { kind: 'usage', cpuSeconds: 28, source: 'cgroup' };
      });
      await clock.advance(100);
      await flush();
      // read began at 100 with 2 CPU-seconds left → could cross at 1100
      expect(clock.pending()).toEqual([1_100]);
    });

    it('lands on the wall deadline when it comes first', async () => {
      service.watch('a', { cpuSeconds: 30, wallSeconds: 1.5 }, record('a'));
      await clock.advance(100);
      expect(clock.pending()).toEqual([1_500]);
    });

    it('approaches a busy container in shrinking steps and sees the crossing within one minimum period', async () => {
      let firedAtMs = 0;
      service.watch('busy', { cpuSeconds: 2, wallSeconds: 60 }, () => (firedAtMs = clock.now()));
      // burns one full CPU from t=0
      cpu.values.set('busy', async () => ({ kind: 'usage', cpuSeconds: clock.now() / 1000, source: 'cgroup' }));
      await clock.advance(5_000);
      expect(firedAtMs).toBeGreaterThanOrEqual(2_000);
      expect(firedAtMs).toBeLessThanOrEqual(2_100);
      const gaps = cpu.readTimes.map((t, i) => t - (cpu.readTimes[i - 1] ?? 0));
      expect(gaps.slice(0, 4)).toEqual([100, 950, 475, 237.5]);
      expect(Math.min(...gaps)).toBe(100);
      expect(cpu.reads.length).toBeLessThan(15);
    });
  });

  describe('limits', () => {
    it('reports a CPU limit crossing once, then stops watching that container', async () => {
      service.watch('a', { cpuSeconds: 2, wallSeconds: 60 }, record('a'));
      cpu.values.set('a', 2.05);
      await clock.advance(100);
      expect(fired).toEqual([['a', 'cpu']]);
      await clock.advance(10_000);
      expect(fired).toEqual([['a', 'cpu']]);
      expect(cpu.reads).toEqual(['a']);
      expect(cpu.forgotten).toEqual(['a']);
    });

    it('reports a container that hit its process limit, once, before it reaches any time limit', async () => {
      service.watch('a', { cpuSeconds: 30, wallSeconds: 60 }, record('a'));
      cpu.values.set('a', async () => ({ kind: 'usage', cpuSeconds: 0.5, source: 'cgroup', processLimitHits: 12 }));
      await clock.advance(100);
      expect(fired).toEqual([['a', 'processes']]);
      await clock.advance(10_000);
      expect(fired).toEqual([['a', 'processes']]);
    });

    it('reports the wall limit at its deadline, and not cpu', async () => {
      service.watch('a', { cpuSeconds: 30, wallSeconds: 2 }, record('a'));
      cpu.values.set('a', 0.01);
      await clock.advance(1_999);
      expect(fired).toEqual([]);
      await clock.advance(1);
      expect(fired).toEqual([['a', 'wall']]);
      expect(clock.pending()).toEqual([]);
    });

    it('still reports the wall limit of a container whose reads keep failing', async () => {
      service.watch('a', { cpuSeconds: 30, wallSeconds: 1 }, record('a'));
      cpu.values.set('a', () => Promise.reject(new Error('EIO')));
      await clock.advance(1_000);
      expect(fired).toEqual([['a', 'wall']]);
    });

    it('keeps going when a handler throws', async () => {
      service.watch('a', { cpuSeconds: 1, wallSeconds: 60 }, () => {
        throw new Error('handler bug');
      });
      service.watch('b', { cpuSeconds: 1, wallSeconds: 60 }, record('b'));
      cpu.values.set('a', 5);
      cpu.values.set('b', 5);
      await clock.advance(100);
      expect(fired).toEqual([['b', 'cpu']]);
    });
  });

  describe('unwatch', () => {
    it('stops the watch and leaves no timer once nothing is watched', async () => {
      service.watch('a', { cpuSeconds: 2, wallSeconds: 2 }, record('a'));
      await clock.advance(100);
      service.unwatch('a');
      expect(clock.pending()).toEqual([]);
      cpu.values.set('a', 100);
      await clock.advance(10_000);
      expect(fired).toEqual([]);
      expect(cpu.reads).toEqual(['a']);
    });

    it('is idempotent, and harmless for a container never watched', () => {
      service.watch('a', { cpuSeconds: 2, wallSeconds: 2 }, record('a'));
      service.unwatch('a');
      service.unwatch('a');
      service.unwatch('never');
      expect(cpu.forgotten).toEqual(['a']);
    });

    it('keeps the timer while other containers are watched', async () => {
      service.watch('a', { cpuSeconds: 30, wallSeconds: 90 }, record('a'));
      service.watch('b', { cpuSeconds: 30, wallSeconds: 90 }, record('b'));
      service.unwatch('a');
      await clock.advance(100);
      expect(cpu.reads).toEqual(['b']);
      expect(clock.pending()).toEqual([2_100]);
    });

    it('suppresses a crossing found by a read that was in flight when unwatched', async () => {
      let finishRead!: (reading: CpuReading) => void;
      service.watch('a', { cpuSeconds: 2, wallSeconds: 60 }, record('a'));
      cpu.values.set('a', () => new Promise((resolve) => (finishRead = resolve)));
      await clock.advance(100);
      service.unwatch('a');
      finishRead({ kind: 'usage', cpuSeconds: 3, source: 'cgroup' });
      await flush();
      expect(fired).toEqual([]);
      expect(clock.pending()).toEqual([]);
    });

    it('reports to the newest handler when a container is watched again', async () => {
      service.watch('a', { cpuSeconds: 2, wallSeconds: 60 }, () => fired.push(['old', 'cpu']));
      service.watch('a', { cpuSeconds: 2, wallSeconds: 60 }, record('a'));
      cpu.values.set('a', 3);
      await clock.advance(100);
      expect(fired).toEqual([['a', 'cpu']]);
    });
  });

  describe('failures', () => {
    it('a failing read for one container does not affect the others', async () => {
      service.watch('broken', { cpuSeconds: 2, wallSeconds: 60 }, record('broken'));
      service.watch('over', { cpuSeconds: 2, wallSeconds: 60 }, record('over'));
      service.watch('fine', { cpuSeconds: 30, wallSeconds: 60 }, record('fine'));
      cpu.values.set('broken', () => Promise.reject(new Error('EIO')));
      cpu.values.set('over', 2.5);
      await clock.advance(100);
      expect(fired).toEqual([['over', 'cpu']]);
      // the broken container's usage is unknown: it is read again after the minimum period
      expect(clock.pending()).toEqual([200]);
      cpu.values.set('broken', 2.1);
      await clock.advance(100);
      expect(fired).toEqual([['over', 'cpu'], ['broken', 'cpu']]);
    });

    it('a read that never answers counts as failed after the read timeout, and the others are still checked', async () => {
      service.watch('stuck', { cpuSeconds: 2, wallSeconds: 60 }, record('stuck'));
      service.watch('over', { cpuSeconds: 2, wallSeconds: 60 }, record('over'));
      cpu.values.set('stuck', () => new Promise(() => {}));
      cpu.values.set('over', 2.5);
      await clock.advance(100);
      expect(fired).toEqual([]);
      await clock.advance(2_000);
      expect(fired).toEqual([['over', 'cpu']]);
      expect(clock.pending()).toEqual([2_200]);
    });

    it('a container that is gone is skipped without error and only its wall time is left', async () => {
      service.watch('dead', { cpuSeconds: 2, wallSeconds: 60 }, record('dead'));
      cpu.values.set('dead', 1.99);
      await clock.advance(100);
      cpu.values.set('dead', 'gone');
      await clock.advance(100);
      expect(fired).toEqual([]);
      expect(clock.pending()).toEqual([2_200]);
    });
  });

  describe('checkNow', () => {
    it('fires a crossed limit at once, before any sweep is due', async () => {
      service.watch('a', { cpuSeconds: 2, wallSeconds: 60 }, record('a'));
      await clock.advance(100);
      cpu.values.set('a', 2.1);
      await service.checkNow('a');
      expect(fired).toEqual([['a', 'cpu']]);
    });

    it('does nothing below the limits or for a container not watched', async () => {
      service.watch('a', { cpuSeconds: 2, wallSeconds: 60 }, record('a'));
      cpu.values.set('a', 1.9);
      await service.checkNow('a');
      await service.checkNow('unknown');
      expect(fired).toEqual([]);
      expect(cpu.reads).toEqual(['a']);
    });
  });

  it('drops everything when the module stops', async () => {
    service.watch('a', { cpuSeconds: 2, wallSeconds: 2 }, record('a'));
    service.onModuleDestroy();
    expect(clock.pending()).toEqual([]);
    await clock.advance(5_000);
    expect(fired).toEqual([]);
  });
});
