import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AgentConfig } from '../config/agent-config';
import { Clock, type TimerHandle } from './clock';
import { ContainerStorageQuota } from './container-storage-quota';
import type { DiskExceeded, DiskPart } from './disk-part';
import { DiskSweepSettings } from './disk-sweep-settings';
import { DiskUsageReader } from './disk-usage-reader';
import { HostDiskSpace } from './host-disk-space';
import { addUsage, EMPTY_USAGE, type TreeBounds, type TreeUsage } from './tree-usage';

type ExceededHandler = (exceeded: DiskExceeded) => void;
type LimitKind = 'bytes' | 'entries';

interface PartWatch {
  part: DiskPart;
  /** its own handler (a student container ends alone, 252); without one, crossing ends the whole job */
  onExceeded?: ExceededHandler;
  last: TreeUsage;
}

interface JobDiskWatch {
  bounds: TreeBounds;
  onExceeded: ExceededHandler;
  parts: Map<string, PartWatch>;
  total: TreeUsage;
  timer?: TimerHandle;
  failing: boolean;
}

const partKey = (part: DiskPart) => (part.kind === 'folder' ? `folder:${part.path}` : `container:${part.containerId}`);

/**
 * The disk limit of each job (`limits.disk`, and a bound on entries): everything the job writes — its folder and its
 * containers' writable layers — walked with bounded walks, each job on its own pace (slower for bigger trees), and a
 * guard for the host's free space that stops the largest writer first.
 */
@Injectable()
export class DiskLimitsService implements OnModuleDestroy {
  private readonly watches = new Map<string, JobDiskWatch>();
  private hostTimer?: TimerHandle;

  constructor(
    private readonly config: AgentConfig,
    private readonly reader: DiskUsageReader,
    private readonly space: HostDiskSpace,
    private readonly quota: ContainerStorageQuota,
    private readonly clock: Clock,
    private readonly settings: DiskSweepSettings,
    @InjectPinoLogger(DiskLimitsService.name) private readonly logger: PinoLogger,
  ) {}

  /** Calls `onExceeded` at most once; measuring starts with the first part. */
  watchJob(jobId: string, maxBytes: number, onExceeded: ExceededHandler): void {
    this.unwatchJob(jobId);
    this.watches.set(jobId, {
      bounds: { maxBytes, maxEntries: this.config.diskMaxEntries },
      onExceeded,
      parts: new Map(),
      total: EMPTY_USAGE,
      failing: false,
    });
    this.hostTimer ??= this.clock.setTimer(() => void this.checkHost(), this.settings.hostCheckPeriodMs);
  }

  addPart(jobId: string, part: DiskPart, onExceeded?: ExceededHandler): void {
    const watch = this.watches.get(jobId);
    if (!watch) return;
    watch.parts.set(partKey(part), { part, onExceeded, last: EMPTY_USAGE });
    if (!watch.timer) this.schedule(jobId, watch, 0);
  }

  removePart(jobId: string, part: DiskPart): void {
    this.watches.get(jobId)?.parts.delete(partKey(part));
    if (part.kind === 'container') this.reader.forget(part.containerId);
  }

  unwatchJob(jobId: string): void {
    const watch = this.watches.get(jobId);
    if (!watch) return;
    this.watches.delete(jobId);
    watch.timer?.cancel();
    for (const { part } of watch.parts.values()) if (part.kind === 'container') this.reader.forget(part.containerId);
    if (this.watches.size === 0) this.stopHostChecks();
  }

  onModuleDestroy(): void {
    for (const jobId of [...this.watches.keys()]) this.unwatchJob(jobId);
  }

  private schedule(jobId: string, watch: JobDiskWatch, delayMs: number): void {
    watch.timer = this.clock.setTimer(() => void this.walk(jobId, watch), delayMs);
  }

  private async walk(jobId: string, watch: JobDiskWatch): Promise<void> {
    await Promise.all([...watch.parts.values()].map((partWatch) => this.reader.locate(partWatch.part)));
    const startedAt = this.clock.now();
    try {
      const crossing = await this.measure(watch);
      watch.failing = false;
      if (this.watches.get(jobId) !== watch) return;
      if (crossing) return this.fire(jobId, watch, crossing.kind, crossing.culprit);
    } catch (error) {
      if (!watch.failing) this.logger.warn({ jobId, err: error }, 'disk use could not be measured');
      watch.failing = true;
    }
    if (this.watches.get(jobId) !== watch) return;
    const took = this.clock.now() - startedAt;
    this.schedule(jobId, watch, Math.max(this.settings.minPeriodMs, took * this.settings.costFactor));
  }

  /** Walks the parts in turn, each bounded by what is left of the job's budget; a crossing is blamed on the largest part. */
  private async measure(watch: JobDiskWatch): Promise<{ kind: LimitKind; culprit: PartWatch } | undefined> {
    const capped = await this.quota.isAvailable();
    let total = EMPTY_USAGE;
    for (const partWatch of [...watch.parts.values()]) {
      if (capped && partWatch.part.kind === 'container') continue;
      const left = { maxBytes: watch.bounds.maxBytes - total.bytes, maxEntries: watch.bounds.maxEntries - total.entries };
      partWatch.last = await this.reader.measure(partWatch.part, left);
      total = addUsage(total, partWatch.last);
      watch.total = total;
      const kind = total.bytes > watch.bounds.maxBytes ? 'bytes' : total.entries > watch.bounds.maxEntries ? 'entries' : undefined;
      if (kind) return { kind, culprit: largest([...watch.parts.values()], kind) };
    }
    return undefined;
  }

  private fire(jobId: string, watch: JobDiskWatch, kind: LimitKind, culprit: PartWatch): void {
    const exceeded: DiskExceeded = { kind, usage: watch.total, bounds: watch.bounds };
    this.logger.info({ jobId, kind, usage: watch.total, bounds: watch.bounds, part: culprit.part }, 'disk limit exceeded');
    if (culprit.onExceeded) {
      this.removePart(jobId, culprit.part);
      this.schedule(jobId, watch, this.settings.minPeriodMs);
      return call(culprit.onExceeded, exceeded, this.logger, jobId);
    }
    this.stopWholeJob(jobId, watch, exceeded);
  }

  /** Parts with their own handler (student containers) are stopped too, at once: they would write on until the job closes. */
  private stopWholeJob(jobId: string, watch: JobDiskWatch, exceeded: DiskExceeded): void {
    this.unwatchJob(jobId);
    for (const part of watch.parts.values()) if (part.onExceeded) call(part.onExceeded, exceeded, this.logger, jobId);
    call(watch.onExceeded, exceeded, this.logger, jobId);
  }

  private async checkHost(): Promise<void> {
    this.hostTimer = undefined;
    try {
      const freeBytes = await this.space.freeBytes(this.config.workDir);
      if (freeBytes < this.config.diskMinFreeMiB * 1024 * 1024) this.stopLargestWriter(freeBytes);
    } catch (error) {
      this.logger.warn({ err: error }, 'free disk space could not be read');
    }
    if (this.watches.size > 0) this.hostTimer = this.clock.setTimer(() => void this.checkHost(), this.settings.hostCheckPeriodMs);
  }

  private stopLargestWriter(freeBytes: number): void {
    let largestJob: [string, JobDiskWatch] | undefined;
    for (const entry of this.watches) if (!largestJob || entry[1].total.bytes > largestJob[1].total.bytes) largestJob = entry;
    this.logger.warn({ freeBytes, minFreeMiB: this.config.diskMinFreeMiB, jobId: largestJob?.[0] }, 'host disk space low');
    // a host filled by something else is not a job's fault: only a job that wrote something is stopped
    if (!largestJob || largestJob[1].total.bytes === 0) return;
    const [jobId, watch] = largestJob;
    this.stopWholeJob(jobId, watch, { kind: 'host-space', freeBytes, jobBytes: watch.total.bytes });
  }

  private stopHostChecks(): void {
    this.hostTimer?.cancel();
    this.hostTimer = undefined;
  }
}

function largest(parts: PartWatch[], by: LimitKind): PartWatch {
  return parts.reduce((a, b) => (b.last[by] > a.last[by] ? b : a));
}

function call(handler: ExceededHandler, exceeded: DiskExceeded, logger: PinoLogger, jobId: string): void {
  try {
    handler(exceeded);
  } catch (error) {
    logger.error({ jobId, err: error }, 'disk-limit handler threw');
  }
}
