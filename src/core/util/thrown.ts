/** A thrown or rejected value as text, never throwing: a plugin may throw a value whose own toString throws. */
export function describeThrown(value: unknown): string {
  try {
    const text = String(value);
    // A plain object (a callback's `{ code: 'ECONNRESET' }`) says more as its JSON.
    if (text !== '[object Object]') return text;
  } catch {
    // a toString that throws: its JSON, if it has one
  }
  try {
    const json: unknown = JSON.stringify(value);
    if (typeof json === 'string') return json.length > MAX_DESCRIBED ? `${json.slice(0, MAX_DESCRIBED)}…` : json;
  } catch {
    // a cycle, a BigInt, a getter that throws
  }
  return 'a thrown value that cannot be turned into a string';
}

/** A thrown object said as JSON is cut here: a report line, not a dump. */
const MAX_DESCRIBED = 200;

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
