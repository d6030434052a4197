/*
 * Strings of a config that came from the environment (`"${BATCH_MAX}"`): where the option
 * takes a number or a boolean, such a string is read as one (a literal string typed in the
 * file never is). expandEnv records, for each object and array it makes, which of its keys
 * hold such a string; the plain checks and the zod path both read that record, and both
 * convert with the functions below, so they agree.
 */

/** One `${NAME}` or `${NAME:-default}` of a string, and what it gave. */
export interface EnvReference {
  name: string;
  /** The default written after `:-`, if any. */
  fallback: string | undefined;
  /** What the variable held (undefined: unset). */
  found: string | undefined;
  /** What it gave: the variable's value, or the default. */
  gave: string;
}

/** How a string of the config was expanded. */
export interface EnvSource {
  /** The string as written in the file. */
  template: string;
  /** What it expanded to. */
  text: string;
  references: EnvReference[];
}

const SOURCES = new WeakMap<object, Map<string, EnvSource>>();

/** Records that `container[key]` is the expansion `source` (expandEnv calls this). */
export function markEnvSource(container: object, key: PropertyKey, source: EnvSource): void {
  let keys = SOURCES.get(container);
  if (keys === undefined) {
    keys = new Map();
    SOURCES.set(container, keys);
  }
  keys.set(String(key), source);
}

/** How `container[key]` was expanded, when it was and expandEnv made the container. */
export function envSourceAt(container: unknown, key: PropertyKey): EnvSource | undefined {
  if (typeof container !== 'object' || container === null) return undefined;
  return SOURCES.get(container)?.get(String(key));
}

/** Gives `to` (a copy of `from`'s keys) the expansions `from` recorded, for the keys it has. */
export function copyEnvSources(from: unknown, to: object): void {
  if (typeof from !== 'object' || from === null) return;
  const keys = SOURCES.get(from);
  if (keys === undefined) return;
  for (const [key, source] of keys) if (Object.hasOwn(to, key)) markEnvSource(to, key, source);
}

/**
 * Gives `to`, a copy of `from` a plugin's schema made (a nested transport entry parsed by a
 * `z.object`), the expansions `from` recorded, wherever `to` still holds the same string.
 */
export function adoptEnvSources(from: unknown, to: unknown, depth = 0): void {
  if (typeof from !== 'object' || from === null || typeof to !== 'object' || to === null) return;
  if (from === to || depth > 100) return;
  const source = from as Record<string, unknown>;
  const copy = to as Record<string, unknown>;
  for (const [key, expansion] of SOURCES.get(from) ?? []) {
    if (Object.hasOwn(copy, key) && typeof copy[key] === 'string' && copy[key] === source[key]) {
      markEnvSource(to, key, expansion);
    }
  }
  for (const key of Object.keys(source)) {
    if (Object.hasOwn(copy, key)) adoptEnvSources(source[key], copy[key], depth + 1);
  }
}

/** An expanded string offered to a plain check that refused it as a string: num, bool and oneOf read it. */
export class EnvText {
  constructor(readonly text: string) {}
}

/** `container[key]` as an EnvText when it is a string that came from the environment, else undefined. */
export function envTextAt(container: object, key: PropertyKey, value: unknown): EnvText | undefined {
  return typeof value === 'string' && envSourceAt(container, key) !== undefined ? new EnvText(value) : undefined;
}

/** A number as JSON writes it: no sign but "-", no spaces, no leading zeros, no hex, no words. */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Is this text a number as JSON writes it ("30", "-1.5e3")? */
export function isJsonNumber(text: string): boolean {
  return JSON_NUMBER.test(text);
}

/**
 * The number an expanded string stands for, or why it stands for none: it must be a JSON
 * number, finite, and if whole within ±(2^53 − 1) (past that, integers lose precision).
 * `-0` is 0.
 */
export function envNumber(text: string): { value: number } | { problem: string } {
  if (!JSON_NUMBER.test(text)) {
    return { problem: 'not a number as JSON writes it (no spaces, no "+", no leading zeros, no hex)' };
  }
  const value = Number(text);
  if (!Number.isFinite(value)) return { problem: 'beyond the largest number' };
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
    return { problem: 'a whole number beyond 2^53 − 1, which would lose precision' };
  }
  return { value: value === 0 ? 0 : value };
}

/** The boolean an expanded string stands for: exactly "true" or "false". */
export function envBoolean(text: string): boolean | undefined {
  return text === 'true' ? true : text === 'false' ? false : undefined;
}

/** Where an expanded string came from, for messages: `${BATCH_MAX} gave "abc"`. */
export function describeEnvSource(source: EnvSource): string {
  const [only] = source.references;
  const gave = JSON.stringify(source.text);
  if (source.references.length === 1 && only !== undefined && source.template === rawReference(only)) {
    if (only.found !== undefined && only.found !== '') return `\${${only.name}} gave ${gave}`;
    const state = only.found === undefined ? 'is not set' : 'is empty';
    return only.fallback === undefined
      ? `\${${only.name}} gave ${gave}`
      : `the default of ${rawReference(only)} gave ${gave} (${only.name} ${state})`;
  }
  const each = source.references.map((ref) =>
    ref.gave === ref.found
      ? `${ref.name}=${JSON.stringify(ref.found)}`
      : `${ref.name}: default ${JSON.stringify(ref.gave)}`,
  );
  return `${JSON.stringify(source.template)} gave ${gave} (${each.join(', ')})`;
}

function rawReference(ref: EnvReference): string {
  return ref.fallback === undefined ? `\${${ref.name}}` : `\${${ref.name}:-${ref.fallback}}`;
}
