import type { z } from 'zod';
import { closest } from '../util/closest.js';
import { describeEnvSource, envBoolean, envNumber, envSourceAt } from '../util/env-text.js';
import { NO, parseFast } from '../util/lazy-schema.js';
import { describeThrown } from '../util/thrown.js';
import { ConfigError, formatPath } from './errors.js';

type Issue = z.core.$ZodIssue;

/** What a minimum counts, by the kind of value it applies to. */
const UNIT_OF: Record<string, string> = { string: ' character(s)', array: ' item(s)' };

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

interface SchemaDef {
  type?: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  element?: unknown;
  in?: unknown;
}

function defOf(schema: unknown): SchemaDef | undefined {
  return (schema as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;
}

/** The keys an object schema allows at `path`, when the schema tells; for "did you mean" lists. */
function knownKeysAt(schema: unknown, path: ReadonlyArray<PropertyKey>): string[] | undefined {
  let current: unknown = schema;
  const unwrap = (): void => {
    for (
      let def = defOf(current);
      def && ['optional', 'nullable', 'default', 'pipe'].includes(def.type ?? '');
      def = defOf(current)
    ) {
      current = def.type === 'pipe' ? def.in : def.innerType;
    }
  };
  unwrap();
  for (const part of path) {
    const def = defOf(current);
    if (def?.type === 'object' && def.shape && typeof part === 'string') current = def.shape[part];
    else if (def?.type === 'array' && typeof part === 'number') current = def.element;
    else return undefined;
    unwrap();
  }
  const def = defOf(current);
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : undefined;
}

/** `; did you mean "path"?` when a known name is close to the unknown one, else nothing. */
export function didYouMean(word: string, known: readonly string[] | undefined): string {
  const match = known && closest(word, known);
  return match ? `; did you mean "${match}"?` : '';
}

interface Problem {
  path: ReadonlyArray<PropertyKey>;
  expected: string;
  /** An option the schema does not know: reported first, as it usually explains the rest. */
  unknown?: boolean;
}

/** Top-level options of pino's that are refused, with why: a migrating service is told more than "unknown". */
const PINO_OPTIONS_REFUSED: Readonly<Record<string, string>> = {
  browser: "options for pino's browser build, which streamlog does not have",
  levelVal: 'pino 10 declares it in its types but does not read it: write "level"',
  safe: 'pino 10 declares it in its types but does not read it: lines are always written safely here',
};

function describe(issue: Issue, schema: unknown): Problem[] {
  const path = issue.path as PropertyKey[];
  switch (issue.code) {
    case 'invalid_type': {
      if (isOwnMessage(issue.message)) return [{ path, expected: issue.message }];
      const got = 'input' in issue ? `, got ${typeName(issue.input)}` : '';
      const finite = issue.expected === 'number' && typeof issue.input === 'number' ? 'a finite ' : '';
      return [{ path, expected: `expected ${finite}${issue.expected}${got}` }];
    }
    case 'unrecognized_keys': {
      const known = knownKeysAt(schema, path);
      const hint = known ? ` (known: ${known.join(', ') || 'none'})` : '';
      return issue.keys.map((key) => ({
        path: [...path, key],
        expected:
          path.length === 0 && Object.hasOwn(PINO_OPTIONS_REFUSED, key)
            ? `unknown option "${key}": ${PINO_OPTIONS_REFUSED[key]}`
            : path.length === 0 && (key === 'type' || key === 'module')
              ? `unknown option "${key}": this looks like one transport entry; a config holds its entries in ` +
                '"transports": [ … ]'
              : `unknown option "${key}"${hint}${didYouMean(key, known)}`,
        unknown: true,
      }));
    }
    case 'invalid_value':
      if (isOwnMessage(issue.message)) return [{ path, expected: issue.message }];
      return [{ path, expected: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` }];
    case 'too_small':
      return [
        {
          path,
          expected: !isOwnMessage(issue.message)
            ? `expected ${issue.inclusive === false ? 'more than' : 'at least'} ${String(issue.minimum)}` +
              (UNIT_OF[issue.origin] ?? '')
            : issue.message,
        },
      ];
    case 'too_big':
      return [
        {
          path,
          expected: !isOwnMessage(issue.message)
            ? `expected ${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}`
            : issue.message,
        },
      ];
    case 'invalid_key': {
      const inner = issue.issues.map((i) => describe(i as Issue, schema)[0]?.expected ?? i.message).join('; ');
      return [{ path, expected: `invalid key: ${inner}` }];
    }
    case 'invalid_union': {
      // One alternative took the value's shape and failed deeper in it (a number in a list of
      // paths): that is the problem, at its own path, not the union's "expected …" at the top.
      const deeper = issue.errors.filter((branch) => branch.length > 0 && branch.every((i) => i.path.length > 0));
      if (deeper.length === 1) {
        return deeper[0]!.flatMap((inner) => describe({ ...inner, path: [...path, ...inner.path] } as Issue, schema));
      }
      // Say what each alternative wanted instead of zod's bare "Invalid input".
      if (isOwnMessage(issue.message)) return [{ path, expected: issue.message }];
      const wanted = issue.errors.map((branch) => branch.map((i) => describe(i, schema)[0]?.expected ?? i.message)[0]);
      const options = [...new Set(wanted.filter((w): w is string => w !== undefined))];
      return [{ path, expected: options.length > 0 ? options.join(', or ') : 'expected a valid value' }];
    }
    default:
      return [{ path, expected: isOwnMessage(issue.message) ? issue.message : 'expected a valid value' }];
  }
}

/**
 * Says where a value that came from the environment came from, beside what the schema
 * expected of it (`path` is the problem's, from the root of what was parsed).
 */
type EnvNote = (path: ReadonlyArray<PropertyKey>, issue: Issue, expected: string) => string;

/** Turns zod issues into one ConfigError naming each path (`prefix` places nested schemas). */
export function issuesToConfigError(
  issues: readonly Issue[],
  schema: unknown,
  prefix = '',
  envNote?: EnvNote,
): ConfigError {
  const described = issues.flatMap((issue) =>
    describe(issue, schema).map((p) =>
      envNote && !p.unknown && samePath(p.path, issue.path)
        ? { ...p, expected: envNote(p.path, issue, p.expected) }
        : p,
    ),
  );
  // A typo ("pth") also makes a required option ("path") missing: name the typo first.
  const problems = [...described.filter((p) => p.unknown), ...described.filter((p) => !p.unknown)].map((p) => ({
    path: formatPath(p.path, prefix),
    expected: p.expected,
  }));
  const [first, ...rest] = problems;
  if (!first) return new ConfigError(prefix, 'invalid configuration');
  const more = rest.length ? `\n${rest.map((p) => `  ${p.path}: ${p.expected}`).join('\n')}` : '';
  return new ConfigError(first.path, first.expected + more, { issues: problems });
}

function samePath(a: ReadonlyArray<PropertyKey>, b: ReadonlyArray<PropertyKey>): boolean {
  return a.length === b.length && a.every((part, index) => part === b[index]);
}

/** Rounds of reading strings from the environment as numbers or booleans; each reads at least one. */
const MAX_ROUNDS = 16;

/**
 * What zod says where a schema gives no message of its own: asked for per parse, it stands in
 * for zod's default (worded by its global config, in any locale the application set for the
 * zod it shares with us), so a schema's own message, a plugin's included, is told from it.
 */
const ZOD_DEFAULT = 'Invalid input';

/** How zod's English defaults begin (issues read from a parse made without ZOD_DEFAULT). */
const ENGLISH_DEFAULTS = /^(Invalid input|Invalid option|Too small|Too big|Invalid key|Unrecognized key)/;

/** A message the schema gave (a plugin's too), not zod's default, which is worded here instead. */
function isOwnMessage(message: string | undefined): message is string {
  if (message === undefined) return false;
  // A plugin's schema answering zod's shape with no string there: its answer cannot be read.
  if (typeof message !== 'string') throw new TypeError('an issue message that is no string');
  return message !== '' && message !== ZOD_DEFAULT && !ENGLISH_DEFAULTS.test(message);
}

/** safeParse with errors turned into ConfigError; the schema's plain check first, when it has one. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const fast = parseFast(schema, value);
  if (fast !== NO) return fast as z.output<S>;
  return parseWithSchema(schema, value, prefix);
}

/**
 * parseOrThrow without the plain check: the schema decides, a string from the environment
 * where it wants a number or boolean is read as one (in place) and the value parsed again.
 */
export function parseWithSchema<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  type Result = z.ZodSafeParseResult<z.output<S>>;
  const parse = (): Result => {
    try {
      return schema.safeParse(value, { reportInput: true, error: () => ZOD_DEFAULT }) as Result;
    } catch (error) {
      // A plugin's own schema (a refine, a transform) that throws is still a config problem.
      throw new ConfigError(prefix, `the option schema threw while checking this entry: ${String(error)}`, {
        cause: error,
      });
    }
  };
  const unread = new Map<string, Unread>();
  const tried = new Set<string>();
  let problem: ConfigError;
  try {
    let result = parse();
    for (let round = 1; !result.success && round < MAX_ROUNDS; round++) {
      // A string from the environment where a number or boolean was expected: read as one, and parsed again.
      if (readEnvStrings(value, result.error.issues, unread)) result = parse();
      else {
        const next = tryEnvReadings(value, result.error.issues, parse, tried);
        if (next === undefined) break;
        result = next;
      }
    }
    if (result.success) return result.data;
    problem = issuesToConfigError(result.error.issues, schema, prefix, (path, issue, expected) =>
      envNote(value, path, issue, expected, unread),
    );
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    // A plugin's schema is anything with a safeParse: an answer of another shape (null, an
    // error that is no list of issues, a getter that throws), read as zod's, threw TypeErrors.
    const expected = '{ success: true, data } or { success: false, error: { issues } }';
    throw new ConfigError(
      prefix,
      `the option schema's answer could not be read as zod's (${expected}): ${describeThrown(error)}`,
      { cause: error },
    );
  }
  throw problem;
}

type Kind = 'number' | 'boolean';

/** An expanded string that was wanted as a number or boolean and reads as neither. */
interface Unread {
  kinds: Set<Kind>;
  why: string;
}

/** The paths where an issue wants a number or a boolean (a union's branches included), and which. */
function wantedKinds(
  issues: readonly Issue[],
  base: ReadonlyArray<PropertyKey>,
  out: Map<string, { path: PropertyKey[]; kinds: Set<Kind> }>,
): Map<string, { path: PropertyKey[]; kinds: Set<Kind> }> {
  for (const issue of issues) {
    const path = [...base, ...(issue.path as PropertyKey[])];
    const kinds = new Set<Kind>();
    if (issue.code === 'invalid_type') {
      if (issue.expected === 'number' || issue.expected === 'int') kinds.add('number');
      if (issue.expected === 'boolean') kinds.add('boolean');
    } else if (issue.code === 'invalid_value') {
      for (const v of issue.values) if (typeof v === 'number' || typeof v === 'boolean') kinds.add(typeof v as Kind);
    } else if (issue.code === 'invalid_union') {
      for (const branch of issue.errors) wantedKinds(branch, path, out);
    }
    if (kinds.size === 0) continue;
    const key = JSON.stringify(path.map(String));
    const entry = out.get(key) ?? { path, kinds: new Set<Kind>() };
    for (const kind of kinds) entry.kinds.add(kind);
    out.set(key, entry);
  }
  return out;
}

/** The object or array holding the value at `path` (under `root`), and its key there. */
function locate(root: unknown, path: ReadonlyArray<PropertyKey>): { container: object; key: PropertyKey } | undefined {
  if (path.length === 0) return undefined;
  let container: unknown = root;
  for (const part of path.slice(0, -1)) {
    if (typeof container !== 'object' || container === null || !Object.hasOwn(container, part)) return undefined;
    container = (container as Record<PropertyKey, unknown>)[part];
  }
  if (typeof container !== 'object' || container === null) return undefined;
  return { container, key: path[path.length - 1]! };
}

/**
 * Reads each string that came from the environment, where an issue wants a number or a
 * boolean, as one (in place: expandEnv made its container). What reads as neither is kept
 * in `unread` for the message. True when something was read.
 */
function readEnvStrings(root: unknown, issues: readonly Issue[], unread: Map<string, Unread>): boolean {
  let changed = false;
  for (const [key, { path, kinds }] of wantedKinds(issues, [], new Map())) {
    const at = locate(root, path);
    if (at === undefined || envSourceAt(at.container, at.key) === undefined) continue;
    const text = (at.container as Record<PropertyKey, unknown>)[at.key];
    if (typeof text !== 'string') continue;
    const asBoolean = kinds.has('boolean') ? envBoolean(text) : undefined;
    const asNumber = kinds.has('number') ? envNumber(text) : undefined;
    let read: unknown;
    if (asBoolean !== undefined) read = asBoolean;
    else if (asNumber !== undefined && 'value' in asNumber) read = asNumber.value;
    else {
      const notBoolean = 'exactly "true" or "false" is a boolean';
      const why =
        asNumber === undefined
          ? `only ${notBoolean}`
          : kinds.has('boolean')
            ? `${asNumber.problem}, and only ${notBoolean}`
            : asNumber.problem;
      unread.set(key, { kinds, why });
      continue;
    }
    (at.container as Record<PropertyKey, unknown>)[at.key] = read;
    changed = true;
  }
  return changed;
}

/**
 * A union that refuses a string in its string branch (a mode "0" that is not three octal
 * digits) reports only that branch's issue, not that a number would do: each such string
 * from the environment that reads as a number or boolean is tried as one, and kept if that
 * clears its path. The new result when one was kept.
 */
function tryEnvReadings<R extends { success: boolean; error?: { issues: Issue[] } }>(
  root: unknown,
  issues: readonly Issue[],
  parse: () => R,
  tried: Set<string>,
): R | undefined {
  for (const issue of issues) {
    const path = issue.path as PropertyKey[];
    const key = JSON.stringify(path.map(String));
    const at = locate(root, path);
    if (tried.has(key) || at === undefined || envSourceAt(at.container, at.key) === undefined) continue;
    const container = at.container as Record<PropertyKey, unknown>;
    const text = container[at.key];
    if (typeof text !== 'string') continue;
    const asNumber = envNumber(text);
    const reading = envBoolean(text) ?? ('value' in asNumber ? asNumber.value : undefined);
    if (reading === undefined) continue;
    tried.add(key);
    container[at.key] = reading;
    const next = parse();
    // Kept unless it is of a type the option refuses there too (then the string's own issue stands):
    // a mode "999" read as 999 is then "at most 511", clearer than the octal-digits message.
    const under = (i: Issue): boolean => path.every((part, index) => i.path[index] === part);
    const wrongType = (i: Issue): boolean => under(i) && (i.code === 'invalid_type' || i.code === 'invalid_union');
    if (next.success || !next.error!.issues.some(wrongType)) return next;
    container[at.key] = text;
  }
  return undefined;
}

/** Does the issue want only other types than a string (so a string that reads as none of them is the whole story)? */
function wantsOnlyOtherTypes(issue: Issue): boolean {
  if (issue.code === 'invalid_type') return issue.expected !== 'string';
  if (issue.code === 'invalid_value') return issue.values.every((v) => typeof v !== 'string');
  if (issue.code === 'invalid_union') {
    return issue.errors.every((branch) => branch.every((i) => i.path.length === 0 && wantsOnlyOtherTypes(i)));
  }
  return false;
}

/** What was expected, with where the value came from when it came from the environment. */
function envNote(
  root: unknown,
  path: ReadonlyArray<PropertyKey>,
  issue: Issue,
  expected: string,
  unread: Map<string, Unread>,
): string {
  const at = locate(root, path);
  const source = at && envSourceAt(at.container, at.key);
  if (source === undefined) return expected;
  const origin = describeEnvSource(source);
  const failed = unread.get(JSON.stringify(path.map(String)));
  if (failed === undefined || !wantsOnlyOtherTypes(issue)) return `${expected} (${origin})`;
  const custom = isOwnMessage(issue.message);
  const kinds =
    failed.kinds.size === 2 ? 'a number, true or false' : failed.kinds.has('number') ? 'a number' : 'true or false';
  return `${custom ? expected : `expected ${kinds}`}, but ${origin}: ${failed.why}`;
}
