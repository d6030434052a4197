/** A thrown or rejected value as text, never throwing: a plugin may throw a value whose own toString throws. */
export function describeThrown(value: unknown): string {
  try {
    return String(value);
  } catch {
    return 'a thrown value that cannot be turned into a string';
  }
}
