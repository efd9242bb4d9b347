/** The longest quote of an outside value in a log line or in a text sent to the backend, in characters. */
export const QUOTE_LIMIT = 200;

/**
 * An outside value (an id, a message type, a key, a path…) as it may be quoted in a log line or a text: whole when
 * short, else its first `limit` characters and how long it was, so that a hostile 3 MiB field never travels whole.
 */
export function cut(value: unknown, limit = QUOTE_LIMIT): string {
  const text = asText(value);
  if (text.length <= limit) return text;
  // never leave half of a surrogate pair at the cut
  const end = isHighSurrogate(text.charCodeAt(limit - 1)) ? limit - 1 : limit;
  return `${text.slice(0, end)}… (cut: ${text.length} characters)`;
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return `bin of ${value.length} bytes`;
  try {
    return String(value);
  } catch {
    return `a ${typeof value}`;
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
