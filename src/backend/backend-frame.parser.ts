import { decode, isPlainMap } from '../msgpack/msgpack.codec';
import { type BackendMessage, backendMessageSchemas } from './backend.messages';
import { cut } from '../logging/cut-value';

const ISSUES_QUOTED = 3;

export type ParsedBackendFrame = { ok: true; message: BackendMessage } | { ok: false; problem: string };

/** One ZeroMQ message from the backend → a validated message, or why it is unusable (never throws). */
export function parseBackendFrame(frames: readonly Buffer[]): ParsedBackendFrame {
  if (frames.length !== 1) return rejected(`expected 1 frame, got ${frames.length}`);
  let value: unknown;
  try {
    value = decode(frames[0]);
  } catch (error) {
    return rejected(`not msgpack: ${cut(error instanceof Error ? error.message : error)}`);
  }
  if (!isPlainMap(value)) return rejected(`not a msgpack map: ${describe(value)}`);
  const type = value['@type'];
  if (typeof type !== 'string' || !Object.hasOwn(backendMessageSchemas, type)) {
    return rejected(`unknown @type ${typeof type === 'string' ? `"${cut(type)}"` : describe(type)}`);
  }
  const parsed = backendMessageSchemas[type as keyof typeof backendMessageSchemas].safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, ISSUES_QUOTED).map((issue) => cut(`${issue.path.join('.') || '(message)'}: ${issue.message}`));
    const more = parsed.error.issues.length - issues.length;
    return rejected(`${type}: ${issues.join('; ')}${more > 0 ? ` (and ${more} more)` : ''}`);
  }
  return { ok: true, message: parsed.data };
}

function rejected(problem: string): ParsedBackendFrame {
  return { ok: false, problem };
}

function describe(value: unknown): string {
  if (value === undefined) return '(none)';
  if (value === null) return 'nil';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'bin';
  return `a ${typeof value}`;
}
