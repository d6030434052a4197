/** A thrown or rejected value as text, never throwing: a plugin may throw a value whose own toString throws. */
export function describeThrown(value: unknown): string {
  try {
    return String(value);
  } catch {
    return 'a thrown value that cannot be turned into a string';
  }
}

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
