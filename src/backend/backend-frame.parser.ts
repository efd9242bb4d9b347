import { decode, isPlainMap } from '../msgpack/msgpack.codec';
import { type BackendMessage, backendMessageSchemas } from './backend.messages';

export type ParsedBackendFrame = { ok: true; message: BackendMessage } | { ok: false; problem: string };

/** One ZeroMQ message from the backend → a validated message, or why it is unusable (never throws). */
export function parseBackendFrame(frames: readonly Buffer[]): ParsedBackendFrame {
  if (frames.length !== 1) return rejected(`expected 1 frame, got ${frames.length}`);
  let value: unknown;
  try {
    value = decode(frames[0]);
  } catch (error) {
    return rejected(`not msgpack: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isPlainMap(value)) return rejected(`not a msgpack map: ${describe(value)}`);
  const type = value['@type'];
  if (typeof type !== 'string' || !Object.hasOwn(backendMessageSchemas, type)) {
    return rejected(`unknown @type ${typeof type === 'string' ? JSON.stringify(type.slice(0, 64)) : describe(type)}`);
  }
  const parsed = backendMessageSchemas[type as keyof typeof backendMessageSchemas].safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`);
    return rejected(`${type}: ${issues.join('; ')}`);
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
