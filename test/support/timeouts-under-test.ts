import { PinoLogger } from 'nestjs-pino';
import type { Clock } from '../../src/timeouts/clock';
import type { ContainerCpuUsage } from '../../src/timeouts/container-cpu-usage';
import type { CpuReading } from '../../src/timeouts/cpu-reading';
import { SweepSettings } from '../../src/timeouts/sweep-settings';
import { TimeoutsService } from '../../src/timeouts/timeouts.service';
import type { ExceededReason } from '../../src/timeouts/watch-limits';
import { FakeClock } from './fake-clock';

/** CPU readings set by the test; a function value lets a test fail or delay one container's read. */
export class FakeCpuUsage {
  readonly values = new Map<string, number | 'gone' | (() => Promise<CpuReading>)>();
  readonly reads: string[] = [];
  readonly readTimes: number[] = [];
  readonly forgotten: string[] = [];

  constructor(private readonly clock: Clock) {}

  async read(containerId: string): Promise<CpuReading> {
    this.reads.push(containerId);
    this.readTimes.push(this.clock.now());
    const value = this.values.get(containerId) ?? 0;
    if (typeof value === 'function') return value();
    if (value === 'gone') return { kind: 'gone' };
    return { kind: 'usage', cpuSeconds: value, source: 'cgroup' };
  }

  forget(containerId: string): void {
    this.forgotten.push(containerId);
  }
}

/**
 * A TimeoutsService on a fake clock and fake CPU readings (sweeps every 100 ms to 2 s, 2 CPUs); `record(id)` is an
 * `onExceeded` that notes each limit crossed in `fired`.
 */
export function timeoutsUnderTest() {
  const clock = new FakeClock();
  const cpu = new FakeCpuUsage(clock);
  const logger = new PinoLogger({ pinoHttp: { level: 'silent' } });
  const service = new TimeoutsService(cpu as unknown as ContainerCpuUsage, clock, new SweepSettings(100, 2_000, 2), logger);
  const fired: [string, ExceededReason][] = [];
  const record = (id: string) => (reason: ExceededReason) => fired.push([id, reason]);
  return { clock, cpu, service, fired, record };
}
