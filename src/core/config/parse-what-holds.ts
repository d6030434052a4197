import { copyEnvSources } from '../util/env-text.js';
import { ConfigError } from './errors.js';
import { parseOrThrow } from './issues.js';
import { type Config, configSchema } from './schema.js';

/** The top-level key a problem's path starts in (`transports[0].level` → `transports`); '' for the whole. */
export function topKeyOf(path: string): string {
  return /^[^.[]*/.exec(path)![0];
}

/**
 * The config parsed with the top-level keys the schema refused left out, or undefined when
 * that does not hold either. The checks that read the parsed config (levels a transport or
 * `level` names, redaction paths) then still run beside the schema's problems, so one run of
 * `streamlog check` says them all, and none is a false one made by a key left unread (a
 * custom level unknown because a misspelt option beside it failed the schema).
 */
export function parseWhatHolds(value: Record<string, unknown>, refused: ConfigError): Config | undefined {
  const keys = new Set(refused.issues.map((issue) => topKeyOf(issue.path)));
  if (keys.has('')) return undefined;
  const rest: Record<string, unknown> = {};
  for (const key of Object.keys(value)) if (!keys.has(key)) rest[key] = value[key];
  copyEnvSources(value, rest);
  try {
    return parseOrThrow(configSchema, rest);
  } catch (error) {
    if (error instanceof ConfigError) return undefined;
    throw error;
  }
}
