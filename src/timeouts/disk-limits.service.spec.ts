import { PinoLogger } from 'nestjs-pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock';
import type { AgentConfig } from '../config/agent-config';
import type { ContainerStorageQuota } from './container-storage-quota';
import { DiskLimitsService } from './disk-limits.service';
import type { DiskExceeded, DiskPart } from './disk-part';
import { DiskSweepSettings } from './disk-sweep-settings';
import type { DiskUsageReader } from './disk-usage-reader';
import type { HostDiskSpace } from './host-disk-space';
import type { TreeBounds, TreeUsage } from './tree-usage';

const MIB = 1024 * 1024;
const keyOf = (part: DiskPart) => (part.kind === 'folder' ? part.path : part.containerId);

/** Sizes set by the test; each walk "takes" `walkMs` of the fake clock and honours the bounds it is given. */
class FakeReader {
  readonly sizes = new Map<string, { bytes: number; entries: number }>();
  readonly walks: { part: string; bounds: TreeBounds; atMs: number }[] = [];
  walkMs = 0;
  /** what finding a container's layer "takes" (a Docker inspect), before its walk */
  locateMs = 0;

  constructor(private readonly clock: FakeClock) {}

  async locate(part: DiskPart): Promise<void> {
    if (part.kind === 'container') this.clock.spend(this.locateMs);
  }

  async measure(part: DiskPart, bounds: TreeBounds): Promise<TreeUsage> {
    this.walks.push({ part: keyOf(part), bounds, atMs: this.clock.now() });
    this.clock.spend(this.walkMs);
    const size = this.sizes.get(keyOf(part)) ?? { bytes: 0, entries: 1 };
    return { ...size, complete: size.bytes <= bounds.maxBytes && size.entries <= bounds.maxEntries };
  }

  forget(): void {}
}

describe('DiskLimitsService', () => {
  let clock: FakeClock;
  let reader: FakeReader;
  let freeBytes: number;
  let quota: boolean;
  let service: DiskLimitsService;
  let fired: [string, DiskExceeded][];
  const record = (who: string) => (exceeded: DiskExceeded) => fired.push([who, exceeded]);

  beforeEach(() => {
    clock = new FakeClock();
    reader = new FakeReader(clock);
    freeBytes = 100_000 * MIB;
    quota = false;
    fired = [];
    const config = { diskMaxEntries: 1000, diskMinFreeMiB: 500, workDir: '/work' } as AgentConfig;
    const space = { freeBytes: async () => freeBytes } as unknown as HostDiskSpace;
    const storageQuota = { isAvailable: async () => quota } as unknown as ContainerStorageQuota;
    service = new DiskLimitsService(
      config,
      reader as unknown as DiskUsageReader,
      space,
      storageQuota,
      clock,
      new DiskSweepSettings(250, 10, 1_000),
      new PinoLogger({ pinoHttp: { level: 'silent' } }),
    );
  });

  it('sums the folder and the container layers against the job\'s limit: overflow once, then no more walks', async () => {
    service.watchJob('job', 100 * MIB, record('job'));
    service.addPart('job', { kind: 'folder', path: '/work/j' });
    service.addPart('job', { kind: 'container', containerId: 'grading' });
    reader.sizes.set('/work/j', { bytes: 60 * MIB, entries: 10 });
    reader.sizes.set('grading', { bytes: 30 * MIB, entries: 10 });
    await clock.advance(1_000);
    expect(fired).toEqual([]);

    reader.sizes.set('grading', { bytes: 50 * MIB, entries: 10 });
    await clock.advance(250);
    expect(fired).toHaveLength(1);
    expect(fired[0][0]).toBe('job');
    expect(fired[0][1]).toMatchObject({ kind: 'bytes', bounds: { maxBytes: 100 * MIB, maxEntries: 1000 } });
    const walks = reader.walks.length;
    await clock.advance(5_000);
    expect(reader.walks.length).toBe(walks);
    expect(fired).toHaveLength(1);
  });

  it('gives each part only what is left of the budget, and stops walking once a part crossed it', async () => {
    service.watchJob('job', 100 * MIB, record('job'));
    service.addPart('job', { kind: 'folder', path: '/work/j' });
    service.addPart('job', { kind: 'container', containerId: 'grading' });
    reader.sizes.set('/work/j', { bytes: 40 * MIB, entries: 400 });
    await clock.advance(0);
    expect(reader.walks.map((w) => [w.part, w.bounds])).toEqual([
      ['/work/j', { maxBytes: 100 * MIB, maxEntries: 1000 }],
      ['grading', { maxBytes: 60 * MIB, maxEntries: 600 }],
    ]);

    reader.sizes.set('/work/j', { bytes: 200 * MIB, entries: 10 });
    await clock.advance(250);
    expect(reader.walks.slice(2).map((w) => w.part)).toEqual(['/work/j']);
    expect(fired[0][1].kind).toBe('bytes');
  });

  it('too many entries is an overflow of its own kind', async () => {
    service.watchJob('job', 100 * MIB, record('job'));
    service.addPart('job', { kind: 'folder', path: '/work/j' });
    reader.sizes.set('/work/j', { bytes: MIB, entries: 5000 });
    await clock.advance(0);
    expect(fired.map(([, e]) => e.kind)).toEqual(['entries']);
  });

  it('a student container whose layer is the largest part ends alone; the job goes on being watched', async () => {
    service.watchJob('job', 100 * MIB, record('job'));
    service.addPart('job', { kind: 'folder', path: '/work/j' });
    service.addPart('job', { kind: 'container', containerId: 'student' }, record('student'));
    reader.sizes.set('/work/j', { bytes: 10 * MIB, entries: 10 });
    reader.sizes.set('student', { bytes: 500 * MIB, entries: 10 });
    await clock.advance(0);
    expect(fired.map(([who]) => who)).toEqual(['student']);

    reader.sizes.set('/work/j', { bytes: 150 * MIB, entries: 10 });
    await clock.advance(250);
    expect(fired.map(([who]) => who)).toEqual(['student', 'job']);
  });

  it('the whole job over its limit: its student containers are stopped too, not left writing until it closes', async () => {
    service.watchJob('job', 100 * MIB, record('job'));
    service.addPart('job', { kind: 'folder', path: '/work/j' });
    service.addPart('job', { kind: 'container', containerId: 'student' }, record('student'));
    reader.sizes.set('/work/j', { bytes: 150 * MIB, entries: 10 });
    await clock.advance(0);
    expect(fired.map(([who, e]) => [who, e.kind])).toEqual([['student', 'bytes'], ['job', 'bytes']]);
  });

  it('walks a big tree less often: the pause is the cost factor times the walk\'s duration', async () => {
    service.watchJob('job', 100 * MIB, record('job'));
    service.addPart('job', { kind: 'folder', path: '/work/j' });
    reader.walkMs = 400;
    await clock.advance(20_000);
    const gaps = reader.walks.slice(1).map((w, i) => w.atMs - reader.walks[i].atMs);
    expect(new Set(gaps)).toEqual(new Set([400 + 4_000]));
  });

  it('paces on walking alone: a slow Docker lookup of a container\'s layer does not lengthen the pause', async () => {
    service.watchJob('job', 100 * MIB, record('job'));
    service.addPart('job', { kind: 'folder', path: '/work/j' });
    service.addPart('job', { kind: 'container', containerId: 'grading' });
    reader.walkMs = 10;
    reader.locateMs = 600;
    await clock.advance(2_000);
    const folderWalks = reader.walks.filter((w) => w.part === '/work/j');
    const gaps = folderWalks.slice(1).map((w, i) => w.atMs - folderWalks[i].atMs);
    expect(gaps.length).toBeGreaterThan(0);
    for (const gap of gaps) expect(gap).toBeLessThanOrEqual(600 + 2 * 10 + 250);
  });

  it('does not walk container layers the engine caps itself', async () => {
    quota = true;
    service.watchJob('job', 100 * MIB, record('job'));
    service.addPart('job', { kind: 'folder', path: '/work/j' });
    service.addPart('job', { kind: 'container', containerId: 'grading' });
    await clock.advance(0);
    expect(reader.walks.map((w) => w.part)).toEqual(['/work/j']);
  });

  it('when the host runs low on space, stops the job that wrote most, one per check', async () => {
    for (const [job, mib] of [['small', 10], ['large', 80], ['medium', 40]] as const) {
      service.watchJob(job, 100 * MIB, record(job));
      service.addPart(job, { kind: 'folder', path: job });
      reader.sizes.set(job, { bytes: mib * MIB, entries: 1 });
    }
    await clock.advance(500);
    expect(fired).toEqual([]);
    freeBytes = 100 * MIB;
    await clock.advance(1_000);
    expect(fired.map(([who, e]) => [who, e.kind])).toEqual([['large', 'host-space']]);
    expect(fired[0][1]).toMatchObject({ freeBytes: 100 * MIB, jobBytes: 80 * MIB });
    await clock.advance(1_000);
    expect(fired.map(([who]) => who)).toEqual(['large', 'medium']);
  });

  it('a low host with only jobs that wrote nothing stops none of them', async () => {
    service.watchJob('job', 100 * MIB, record('job'));
    service.addPart('job', { kind: 'folder', path: '/work/j' });
    reader.sizes.set('/work/j', { bytes: 0, entries: 1 });
    freeBytes = 0;
    await clock.advance(3_000);
    expect(fired).toEqual([]);
  });

  it('nothing is scheduled once every job is unwatched', async () => {
    service.watchJob('job', 100 * MIB, record('job'));
    service.addPart('job', { kind: 'folder', path: '/work/j' });
    await clock.advance(300);
    service.unwatchJob('job');
    expect(clock.pending()).toEqual([]);
  });
});
