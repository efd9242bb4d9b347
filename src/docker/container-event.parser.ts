import { CONTAINER_EVENT_KINDS, type ContainerEvent, type ContainerEventKind } from './docker.types';

interface RawDockerEvent {
  Type?: unknown;
  Action?: unknown;
  status?: unknown;
  id?: unknown;
  Actor?: { ID?: unknown; Attributes?: Record<string, unknown> };
  time?: unknown;
}

/**
 * One Docker event (the JSON text of one object) as a ContainerEvent; undefined when it is not a container die/oom
 * event or is malformed. `timeNano` (about 1.8e18) is beyond a double's exact range, so it is read from the text
 * itself; it is the only top-level number key in Docker's events, and attribute values are always strings.
 */
export function parseContainerEvent(json: string): ContainerEvent | undefined {
  let raw: RawDockerEvent;
  try {
    raw = JSON.parse(json) as RawDockerEvent;
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null || raw.Type !== 'container') return undefined;
  const kind = (raw.Action ?? raw.status) as ContainerEventKind;
  if (!CONTAINER_EVENT_KINDS.includes(kind)) return undefined;
  const containerId = raw.Actor?.ID ?? raw.id;
  if (typeof containerId !== 'string' || containerId === '') return undefined;
  const timeNano = readTimeNano(json, raw.time);
  if (timeNano === undefined) return undefined;
  const event: ContainerEvent = { kind, containerId, timeNano };
  if (kind === 'die') {
    const exitCode = Number(raw.Actor?.Attributes?.exitCode);
    if (Number.isInteger(exitCode)) event.exitCode = exitCode;
  }
  return event;
}

function readTimeNano(json: string, seconds: unknown): bigint | undefined {
  const match = /"timeNano"\s*:\s*(\d+)/.exec(json);
  if (match) return BigInt(match[1]);
  return typeof seconds === 'number' && Number.isInteger(seconds) ? BigInt(seconds) * 1_000_000_000n : undefined;
}
