/** A thrown or rejected value as text, never throwing: a plugin may throw a value whose own toString throws. */
export function describeThrown(value: unknown): string {
  try {
    const text = String(value);
    if (text !== '[object Object]') return text;
  } catch {
    // a toString that throws: described by its keys below
  }
  return objectOutline(value);
}

/**
 * A plain object thrown or called back with (`{ code: 'EDQUOT' }`): its `code` and its keys,
 * never its other values. Those may hold what redaction hides in the line (a request's
 * headers), and this text goes to diagnostics, a line's error field and the dead-letter file.
 */
function objectOutline(value: unknown): string {
  try {
    if (typeof value !== 'object' || value === null) return UNPRINTABLE;
    const keys = Object.keys(value);
    if (keys.length === 0) return 'an empty object';
    const shown = keys.slice(0, MAX_KEYS_SHOWN).map((key) => (key.length > 40 ? `${key.slice(0, 40)}…` : key));
    const more = keys.length > MAX_KEYS_SHOWN ? `, … ${keys.length - MAX_KEYS_SHOWN} more` : '';
    const code = (value as { code?: unknown }).code;
    const codeText = typeof code === 'string' && code.length <= 40 ? `code ${JSON.stringify(code)}, ` : '';
    return `an object (${codeText}keys ${shown.join(', ')}${more})`;
  } catch {
    // a Proxy or a getter that throws
    return UNPRINTABLE;
  }
}

const UNPRINTABLE = 'a thrown value that cannot be turned into a string';
const MAX_KEYS_SHOWN = 8;

/**
 * An error's message as text, never throwing: a plugin may emit `error` with null, or with an
 * Error whose message is a getter that throws, a Symbol or an object.
 */
export function messageOf(error: unknown): string {
  try {
    const message = (error as { message?: unknown } | null | undefined)?.message;
    if (typeof message === 'string') return message;
  } catch {
    // A getter or a Proxy that throws: described as a whole below.
  }
  return describeThrown(error);
}
