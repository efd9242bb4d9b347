import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { parseContainerEvent } from './container-event.parser';
import { DockerGateway } from './docker.gateway';
import type { ContainerEvent } from './docker.types';
import { EventResumeCursor } from './event-resume-cursor';
import { JsonObjectSplitter } from './json-object-splitter';

/** Called once per event. A listener that throws or rejects is logged; the others and the stream carry on. */
export type ContainerEventListener = (event: ContainerEvent) => void | Promise<void>;

const FIRST_REOPEN_DELAY_MS = 100;
const MAX_REOPEN_DELAY_MS = 5_000;
/** a stream that stayed open this long was healthy: the next break starts the backoff again from the first delay */
const HEALTHY_STREAM_MS = 10_000;
const WAIT_OPEN_RETRY_MS = 500;

/**
 * The agent's one Docker event subscription: `die` and `oom` of this agent's containers (behaviour.md "Docker
 * state"). When the stream breaks it is reopened from the last event seen, so no death is missed and none is
 * delivered twice. Listeners (`subscribe`) are called synchronously, in subscription order.
 */
@Injectable()
export class DockerEvents implements OnModuleInit, OnModuleDestroy {
  private readonly listeners = new Set<ContainerEventListener>();
  private readonly reopenListeners = new Set<() => void>();
  private readonly cursor = new EventResumeCursor();
  private stream: Readable | undefined;
  private streamOpenedAt = 0;
  private opening: Promise<void> | undefined;
  private reopenTimer: NodeJS.Timeout | undefined;
  private reopenDelayMs = FIRST_REOPEN_DELAY_MS;
  private stopped = false;

  constructor(
    private readonly gateway: DockerGateway,
    @InjectPinoLogger(DockerEvents.name) private readonly logger: PinoLogger,
  ) {}

  /** Returns the function that unsubscribes. */
  subscribe(listener: ContainerEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Called each time the stream opens again after a break: Docker itself may have restarted meanwhile, and its
   * event log with it, so deaths during the break may never be delivered. Returns the function that unsubscribes.
   */
  onReopened(listener: () => void): () => void {
    this.reopenListeners.add(listener);
    return () => this.reopenListeners.delete(listener);
  }

  isAlive(): boolean {
    return this.stream !== undefined;
  }

  /** Resolves once the stream is open, opening it now when it is not (skipping any pending backoff); rejects when Docker refuses. */
  ensureOpen(): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('the Docker event subscription is stopped'));
    if (this.stream) return Promise.resolve();
    clearTimeout(this.reopenTimer);
    this.reopenTimer = undefined;
    this.opening ??= this.open().finally(() => (this.opening = undefined));
    return this.opening;
  }

  /**
   * Resolves true once the stream is open, trying again every half second (Docker restarting, say); false when it is
   * still closed after `withinMs`.
   */
  async waitOpen(withinMs: number): Promise<boolean> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      if (await this.ensureOpen().then(() => true, () => false)) return true;
      if (this.stopped || Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, Math.min(WAIT_OPEN_RETRY_MS, Math.max(0, deadline - Date.now()))));
    }
  }

  async onModuleInit(): Promise<void> {
    // a failure is logged and retried by open(); start-up goes on
    await this.ensureOpen().catch(() => undefined);
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearTimeout(this.reopenTimer);
    const stream = this.stream;
    this.stream = undefined;
    stream?.destroy();
    this.listeners.clear();
    this.reopenListeners.clear();
  }

  private async open(): Promise<void> {
    const since = this.cursor.since();
    let stream: Readable;
    try {
      stream = await this.gateway.openContainerEventStream(since);
    } catch (error) {
      this.logger.warn({ err: error, since, retryInMs: this.reopenDelayMs }, 'docker event stream could not be opened');
      this.scheduleReopen();
      throw error;
    }
    if (this.stopped) {
      stream.destroy();
      return;
    }
    this.cursor.watchedSince(daemonClockNanos(stream) ?? BigInt(Date.now()) * 1_000_000n);
    this.stream = stream;
    const reopened = this.streamOpenedAt > 0;
    this.streamOpenedAt = Date.now();
    this.logger.info({ since: since ?? 'now' }, 'docker event stream open');
    if (reopened) for (const listener of this.reopenListeners) listener();
    const splitter = new JsonObjectSplitter();
    stream.on('data', (chunk: Buffer) => {
      for (const json of splitter.push(chunk)) this.handle(json);
    });
    stream.once('end', () => this.closed(stream, 'ended'));
    stream.once('close', () => this.closed(stream, 'closed'));
    // `on`, not `once`: a second 'error' without a listener would crash the process
    stream.on('error', (error) => this.closed(stream, error.message));
  }

  private handle(json: string): void {
    const event = parseContainerEvent(json);
    if (!event) {
      this.logger.warn({ json: json.slice(0, 500) }, 'docker event ignored: not a container die/oom event');
      return;
    }
    if (!this.cursor.accept(event)) {
      this.logger.debug({ containerId: event.containerId, kind: event.kind }, 'docker event re-delivered by resumption, dropped');
      return;
    }
    this.reopenDelayMs = FIRST_REOPEN_DELAY_MS;
    for (const listener of this.listeners) this.notify(listener, event);
  }

  private notify(listener: ContainerEventListener, event: ContainerEvent): void {
    const failed = (error: unknown) =>
      this.logger.error({ err: error, containerId: event.containerId, kind: event.kind }, 'container event listener failed');
    try {
      const result = listener(event);
      if (result instanceof Promise) result.catch(failed);
    } catch (error) {
      failed(error);
    }
  }

  private closed(stream: Readable, reason: string): void {
    if (this.stream !== stream) return;
    this.stream = undefined;
    stream.destroy();
    if (this.stopped) return;
    if (Date.now() - this.streamOpenedAt >= HEALTHY_STREAM_MS) this.reopenDelayMs = FIRST_REOPEN_DELAY_MS;
    this.logger.warn({ reason, since: this.cursor.since(), retryInMs: this.reopenDelayMs }, 'docker event stream broke; reopening');
    this.scheduleReopen();
  }

  private scheduleReopen(): void {
    if (this.stopped || this.reopenTimer) return;
    const delay = this.reopenDelayMs;
    this.reopenDelayMs = Math.min(delay * 2, MAX_REOPEN_DELAY_MS);
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = undefined;
      this.ensureOpen().catch(() => undefined);
    }, delay);
  }
}

/** dockerd's clock when it answered (the HTTP Date header): a resume point that a skewed local clock cannot spoil. */
function daemonClockNanos(stream: Readable): bigint | undefined {
  const date = Date.parse((stream as Partial<IncomingMessage>).headers?.date ?? '');
  return Number.isNaN(date) ? undefined : BigInt(date) * 1_000_000n;
}
