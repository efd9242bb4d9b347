import { describe, expect, it } from 'vitest';
import { timeoutsUnderTest } from '../../test/support/timeouts-under-test';

describe('TimeoutsService: where a container stands when its watch begins', () => {
  describe('a job that starts in a container already running (warm)', () => {
    it('charges only the CPU used after the watch began', async () => {
      const { clock, cpu, service, fired, record } = timeoutsUnderTest();
      cpu.values.set('warm', 0.4);
      const usedBefore = await service.cpuUsedSeconds('warm');
      service.watch('warm', { cpuSeconds: 1, wallSeconds: 60 }, record('warm'), { cpuUsedBeforeSeconds: usedBefore });
      cpu.values.set('warm', 1.3);
      await clock.advance(100);
      expect(fired).toEqual([]);
      cpu.values.set('warm', 1.4);
      await clock.advance(2_000);
      expect(fired).toEqual([['warm', 'cpu']]);
    });

    it('cpuUsedSeconds throws when the container cannot be read', async () => {
      const { cpu, service } = timeoutsUnderTest();
      cpu.values.set('gone', 'gone');
      await expect(service.cpuUsedSeconds('gone')).rejects.toThrow('gone');
    });
  });

  describe('a container its job starts after the watch began (cold)', () => {
    it('is not read until started, then read after the minimum period', async () => {
      const { clock, cpu, service, fired, record } = timeoutsUnderTest();
      service.watch('cold', { cpuSeconds: 2, wallSeconds: 60 }, record('cold'), { startsLater: true });
      cpu.values.set('cold', 5);
      await clock.advance(100);
      await service.checkNow('cold');
      expect(cpu.reads).toEqual([]);
      // nothing but its wall time can come due: the next sweep waits the maximum period
      expect(clock.pending()).toEqual([2_100]);
      await clock.advance(50);
      service.started('cold');
      expect(clock.pending()).toEqual([250]);
      await clock.advance(100);
      expect(cpu.reads).toEqual(['cold']);
      expect(fired).toEqual([['cold', 'cpu']]);
    });

    it('ends at its wall time even when never started', async () => {
      const { clock, cpu, service, fired, record } = timeoutsUnderTest();
      service.watch('stuck', { cpuSeconds: 2, wallSeconds: 1 }, record('stuck'), { startsLater: true });
      await clock.advance(999);
      expect(fired).toEqual([]);
      await clock.advance(1);
      expect(fired).toEqual([['stuck', 'wall']]);
      expect(cpu.reads).toEqual([]);
    });

    it('started changes nothing for a container watched as running, or not watched', async () => {
      const { clock, service, record } = timeoutsUnderTest();
      service.watch('a', { cpuSeconds: 30, wallSeconds: 90 }, record('a'));
      await clock.advance(100);
      expect(clock.pending()).toEqual([2_100]);
      service.started('a');
      service.started('unknown');
      expect(clock.pending()).toEqual([2_100]);
    });
  });
});
