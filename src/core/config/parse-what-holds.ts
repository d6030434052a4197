import { copyEnvSources } from '../util/env-text.js';
import { ConfigError } from './errors.js';
import { parseOrThrow } from './issues.js';
import { type Config, configSchema, LEVEL_NAME } from './schema.js';

/** The top-level key a problem's path starts in (`transports[0].level` → `transports`); '' for the whole. */
export function topKeyOf(path: string): string {
  return /^[^.[]*/.exec(path)![0];
}

/** The key after `top` in a problem's path (`customLevels.Bad`, `customLevels["bad name"]`), if any. */
function secondKeyOf(path: string, top: string): string | undefined {
  const rest = path.slice(top.length);
  const dotted = /^\.([A-Za-z_$][\w$]*)/.exec(rest);
  if (dotted !== null) return dotted[1];
  const quoted = /^\[("(?:[^"\\]|\\.)*")\]/.exec(rest);
  return quoted === null ? undefined : (JSON.parse(quoted[1]!) as string);
}

/**
 * Entries refused for their value alone, kept with a value the schema takes: a custom level of
 * a good name is a level for the checks that read the rest (a transport naming it), though its
 * number was refused. The config is refused anyway, so the stand-in is never used.
 */
const levelStandIn: [(entry: string) => boolean, unknown] = [(entry) => LEVEL_NAME.test(entry), 1];
const STAND_INS: Record<string, [(entry: string) => boolean, unknown]> = {
  levels: levelStandIn,
  customLevels: levelStandIn,
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An object-valued key the schema refused, with the entries it refused left out (a custom
 * level of a bad name beside good ones): undefined when the problem is the object's own.
 */
function withoutRefusedEntries(value: unknown, key: string, refused: ConfigError): Record<string, unknown> | undefined {
  if (!isPlainObject(value)) return undefined;
  const bad = new Set<string>();
  for (const issue of refused.issues) {
    if (topKeyOf(issue.path) !== key) continue;
    const entry = secondKeyOf(issue.path, key);
    if (entry === undefined) return undefined;
    bad.add(entry);
  }
  const kept: Record<string, unknown> = {};
  const standIn = STAND_INS[key];
  for (const [entry, item] of Object.entries(value)) {
    if (entry === '__proto__') continue;
    if (!bad.has(entry)) kept[entry] = item;
    else if (standIn?.[0](entry)) kept[entry] = standIn[1];
  }
  copyEnvSources(value, kept);
  return kept;
}

/**
 * The config parsed with what the schema refused left out, or undefined when that does not
 * hold either: the refused entries of an object (one bad custom level), else the whole
 * top-level key. The checks that read the parsed config (levels a transport or `level` names,
 * redaction paths) then still run beside the schema's problems, so one run of `streamlog
 * check` says them all, and none is a false one made by a part left unread (a custom level
 * unknown because a misspelt option, or another custom level, failed the schema).
 */
export function parseWhatHolds(value: Record<string, unknown>, refused: ConfigError): Config | undefined {
  const keys = new Set(refused.issues.map((issue) => topKeyOf(issue.path)));
  if (keys.has('')) return undefined;
  const rest: Record<string, unknown> = {};
  for (const key of Object.keys(value)) if (!keys.has(key)) rest[key] = value[key];
  copyEnvSources(value, rest);
  const partly = { ...rest };
  for (const key of keys) {
    const kept = withoutRefusedEntries(value[key], key, refused);
    if (kept !== undefined) partly[key] = kept;
  }
  copyEnvSources(value, partly);
  return parseQuietly(partly) ?? parseQuietly(rest);
}

function parseQuietly(value: Record<string, unknown>): Config | undefined {
  try {
    return parseOrThrow(configSchema, value);
  } catch (error) {
    if (error instanceof ConfigError) return undefined;
    throw error;
  }
}
