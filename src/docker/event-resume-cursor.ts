import type { ContainerEvent } from './docker.types';

const NANOS_PER_SECOND = 1_000_000_000n;

/**
 * Reopening overlaps the last second already seen: dockerd stamps an event's time before taking its publish lock, so
 * an event can be published just after one stamped later. The overlap re-delivers a few events; `accept` drops them.
 */
export const RESUME_OVERLAP_NANOS = NANOS_PER_SECOND;

/** Docker's `since` with nanosecond precision: `<seconds>.<nanoseconds, 9 digits>`. */
export function formatSince(nanos: bigint): string {
  const clamped = nanos < 0n ? 0n : nanos;
  return `${clamped / NANOS_PER_SECOND}.${(clamped % NANOS_PER_SECOND).toString().padStart(9, '0')}`;
}

function eventKey(event: ContainerEvent): string {
  return `${event.timeNano}/${event.kind}/${event.containerId}`;
}

/**
 * Where to resume the event stream from, and which events were already delivered. Remembers the keys of the most
 * recent events (bounded), which covers everything a resumption can re-deliver.
 */
export class EventResumeCursor {
  private latestEventNanos: bigint | undefined;
  private watchStartNanos: bigint | undefined;
  private readonly delivered = new Set<string>();

  constructor(private readonly rememberedEvents = 4096) {}

  /** When the first stream opened: where to resume from while no event has been seen yet. */
  watchedSince(nanos: bigint): void {
    this.watchStartNanos ??= nanos;
  }

  /** True the first time an event is seen; false for a re-delivery. */
  accept(event: ContainerEvent): boolean {
    const key = eventKey(event);
    if (this.delivered.has(key)) return false;
    this.delivered.add(key);
    if (this.delivered.size > this.rememberedEvents) {
      const oldest = this.delivered.values().next().value as string;
      this.delivered.delete(oldest);
    }
    if (this.latestEventNanos === undefined || event.timeNano > this.latestEventNanos) this.latestEventNanos = event.timeNano;
    return true;
  }

  /** The `since` to reopen with, or undefined when nothing was ever watched (then the stream starts live). */
  since(): string | undefined {
    const from = this.latestEventNanos ?? this.watchStartNanos;
    return from === undefined ? undefined : formatSince(from - RESUME_OVERLAP_NANOS);
  }
}
