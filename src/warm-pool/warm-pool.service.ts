import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AgentConfig } from '../config/agent-config';
import { DockerEvents } from '../docker/docker-events.service';
import { EnvironmentCatalog } from '../environments/environment-catalog.service';
import { TaskFilesError } from '../job-files/task-files.error';
import { type TakenContainer, type WarmContainer, warmKeyOf, type WarmRequest, type WarmSpec } from './warm-container';
import { WarmContainers } from './warm-containers';

interface Demand {
  spec: WarmSpec;
  /** the memory limit of the last job of this kind, which the next container is made with */
  memoryMiB: number;
  /** higher = taken more recently */
  rank: number;
  /** idle deaths still replaced before the next take (an image whose runtime cannot stay idle is not remade forever) */
  replacements: number;
}

export interface WarmPoolStats {
  idle: number;
  hits: number;
  misses: number;
}

/**
 * Grading containers made ahead of demand, one job each, never reused (issue #9). Sized by demand: every take (hit or
 * miss) asks for one more of its kind, made one at a time in the background while a job slot is free, the most
 * recently used kinds first; at most `warmPoolSize` exist, the least recently used kind giving way. A container that
 * dies while idle is replaced; one whose image is no longer the environment's is removed. Jobs get a ready container
 * or nothing.
 */
@Injectable()
export class WarmPool implements OnModuleInit, OnModuleDestroy {
  private readonly idle = new Map<string, WarmContainer[]>();
  private readonly demand = new Map<string, Demand>();
  private readonly wanted: string[] = [];
  private readonly handingOver = new Set<string>();
  private readonly diedWhileHandedOver = new Set<string>();
  private making = false;
  private maker?: Promise<void>;
  private stopped = false;
  private rank = 0;
  private slotsInUse = 0;
  private hits = 0;
  private misses = 0;

  constructor(
    @InjectPinoLogger(WarmPool.name) private readonly logger: PinoLogger,
    private readonly config: AgentConfig,
    private readonly containers: WarmContainers,
    private readonly catalog: EnvironmentCatalog,
    private readonly events: DockerEvents,
  ) {}

  onModuleInit(): void {
    this.events.subscribe((event) => {
      if (event.kind === 'die') this.onDeath(event.containerId);
    });
  }

  /** Stops making containers and removes every one the pool holds (SIGTERM: no warm container is left behind). */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.wanted.length = 0;
    await this.maker;
    const all = [...this.idle.values()].flat();
    this.idle.clear();
    await Promise.all(all.map((warm) => this.containers.discard(warm)));
    if (all.length > 0) this.logger.info({ count: all.length }, 'warm containers removed');
  }

  /**
   * A container for the request, ready for its start frame; undefined when there is none or handing one over failed.
   * Throws the TaskFilesError of a task whose own files cannot be prepared: the job fails as it would cold, and the
   * container, untouched, stays in the pool.
   */
  async take(request: WarmRequest): Promise<TakenContainer | undefined> {
    if (this.config.warmPoolSize === 0 || this.stopped) return undefined;
    this.drainStale();
    const key = warmKeyOf(request);
    const spec = { environment: request.environment, network: request.network };
    this.demand.set(key, { spec, memoryMiB: request.memoryMiB, rank: ++this.rank, replacements: 1 });
    const warm = this.idle.get(key)?.shift();
    this.want(key);
    if (!warm) {
      this.misses++;
      this.logger.debug({ jobId: request.jobId, key }, 'no warm container of this kind: cold start');
      return undefined;
    }
    this.handingOver.add(warm.id);
    try {
      const taken = await this.containers.handOver(warm, request);
      if (this.diedWhileHandedOver.has(warm.id)) throw new Error('it died while being handed over');
      this.hits++;
      this.logger.info({ jobId: request.jobId, containerId: warm.id }, 'warm container taken');
      return taken;
    } catch (error) {
      if (error instanceof TaskFilesError && error.taskFault && !this.diedWhileHandedOver.has(warm.id)) {
        this.putBack(key, warm);
        throw error;
      }
      this.misses++;
      this.logger.warn({ jobId: request.jobId, containerId: warm.id, err: error }, 'warm container unfit: cold start instead');
      await this.containers.discard(warm);
      return undefined;
    } finally {
      this.handingOver.delete(warm.id);
      this.diedWhileHandedOver.delete(warm.id);
    }
  }

  /**
   * Jobs holding a slot, told at every change. Containers are made only while a slot is free: at saturation each job
   * costs the engine one container however it starts, and making more would take CPU from the jobs running.
   */
  jobSlotsInUse(count: number): void {
    this.slotsInUse = count;
    if (this.wanted.length > 0 && !this.stopped) this.startMaker();
  }

  /** Containers the pool holds (idle or being handed over): this agent's, yet no job's, and not orphans. */
  heldIds(): Set<string> {
    return new Set([...this.handingOver, ...[...this.idle.values()].flat().map((w) => w.id)]);
  }

  /** A container the pool holds is not running any more, though no death was told (reconciliation found it so). */
  lost(containerId: string): void {
    this.onDeath(containerId);
  }

  stats(): WarmPoolStats {
    return { idle: this.idleCount(), hits: this.hits, misses: this.misses };
  }

  private idleCount(): number {
    return [...this.idle.values()].reduce((sum, list) => sum + list.length, 0);
  }

  /** A container given back unused; the pool never grows past its size by it (its take asked for a refill). */
  private putBack(key: string, warm: WarmContainer): void {
    if (this.idleCount() >= this.config.warmPoolSize) void this.containers.discard(warm);
    else this.idle.set(key, [warm, ...(this.idle.get(key) ?? [])]);
  }

  /** Asks for one more container of `key`, if the cap allows, making room by evicting a less recently used kind. */
  private want(key: string): void {
    const count = this.idleCount() + this.wanted.length + (this.making ? 1 : 0);
    if (count >= this.config.warmPoolSize && !this.evictFor(key)) return;
    this.wanted.push(key);
    this.startMaker();
  }

  private evictFor(key: string): boolean {
    const rank = this.demand.get(key)?.rank ?? 0;
    let victim: { key: string; rank: number } | undefined;
    for (const [other, list] of this.idle) {
      const otherRank = this.demand.get(other)?.rank ?? 0;
      if (other !== key && list.length > 0 && otherRank < rank && (!victim || otherRank < victim.rank)) victim = { key: other, rank: otherRank };
    }
    if (!victim) return false;
    const warm = this.idle.get(victim.key)?.shift() as WarmContainer;
    this.logger.debug({ containerId: warm.id, key: victim.key }, 'warm container evicted for a kind in more recent use');
    void this.containers.discard(warm);
    return true;
  }

  /** One maker at a time, and only with a free job slot: making a container costs CPU that running jobs need more. */
  private startMaker(): void {
    if (this.maker || !this.hasFreeSlot()) return;
    this.maker = Promise.resolve()
      .then(() => this.makeWanted())
      .finally(() => {
        this.maker = undefined;
        if (this.wanted.length > 0 && !this.stopped) this.startMaker();
      });
  }

  private async makeWanted(): Promise<void> {
    while (!this.stopped && this.wanted.length > 0 && this.hasFreeSlot()) {
      const key = this.takeMostRecentWanted();
      const demand = this.demand.get(key);
      if (!demand) continue;
      this.making = true;
      try {
        const warm = await this.containers.make(demand.spec, demand.memoryMiB);
        if (this.stopped || !this.demand.has(key) || this.idleCount() >= this.config.warmPoolSize) {
          await this.containers.discard(warm);
        } else {
          this.idle.set(key, [...(this.idle.get(key) ?? []), warm]);
          this.logger.debug({ containerId: warm.id, key }, 'warm container ready');
        }
      } catch (error) {
        this.logger.warn({ key, err: error }, 'could not make a warm container');
      } finally {
        this.making = false;
      }
    }
  }

  private hasFreeSlot(): boolean {
    return this.slotsInUse < this.config.concurrency;
  }

  private takeMostRecentWanted(): string {
    const rankOf = (key: string) => this.demand.get(key)?.rank ?? 0;
    const best = this.wanted.reduce((a, b) => (rankOf(b) > rankOf(a) ? b : a));
    this.wanted.splice(this.wanted.indexOf(best), 1);
    return best;
  }

  private onDeath(containerId: string): void {
    if (this.handingOver.has(containerId)) {
      this.diedWhileHandedOver.add(containerId);
      return;
    }
    for (const [key, list] of this.idle) {
      const index = list.findIndex((w) => w.id === containerId);
      if (index < 0) continue;
      const [warm] = list.splice(index, 1);
      this.logger.warn({ containerId, key }, 'warm container died while idle: removed');
      void this.containers.discard(warm);
      const demand = this.demand.get(key);
      if (demand && demand.replacements > 0) {
        demand.replacements--;
        this.want(key);
      }
      return;
    }
  }

  /** Idle containers (and demand) whose image or runtime is no longer what their environment uses. */
  private drainStale(): void {
    const isCurrent = (spec: WarmSpec, key: string) => {
      const current = this.catalog.find(spec.environment.envtype, spec.environment.name);
      return current !== undefined && warmKeyOf({ environment: current, network: spec.network }) === key;
    };
    for (const [key, demand] of this.demand) if (!isCurrent(demand.spec, key)) this.demand.delete(key);
    for (const [key, list] of this.idle) {
      for (const warm of list.filter((w) => !isCurrent(w.spec, key))) {
        list.splice(list.indexOf(warm), 1);
        this.logger.info({ containerId: warm.id, key }, 'warm container of a replaced image removed');
        void this.containers.discard(warm);
      }
    }
  }
}
