import { type EnvReference, markEnvSource } from '../util/env-text.js';
import { ConfigError, formatPath } from './errors.js';

/** Deeper than any config needs; a deeper value (or a cycle, from code) would overflow the stack. */
const MAX_DEPTH = 100;

const REFERENCE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{[^}]*\}?/g;

/**
 * Expands `${VAR}` and `${VAR:-default}` in every string of a JSON value; `$$` is a literal
 * `$`. A variable that is unset (and has no default) is a ConfigError at that path; so is
 * an object or array nested deeper than MAX_DEPTH, at the option it is under. Each object
 * and array made records which of its strings held a reference (see env-text.ts), so an
 * option that takes a number or a boolean can read such a string as one.
 */
export function expandEnv(value: unknown, env: NodeJS.ProcessEnv = process.env, path: PropertyKey[] = []): unknown {
  if (typeof value === 'string') return expandString(value, env, path).text;
  if (path.length > MAX_DEPTH && typeof value === 'object' && value !== null) {
    throw new ConfigError(
      formatPath(path.slice(0, 2)),
      `expected a value nested at most ${MAX_DEPTH} levels deep (or, from code, an object without a cycle)`,
    );
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    out.length = value.length; // a hole (from code) stays a hole, as map would keep it
    value.forEach((item, index) => {
      out[index] = expandItem(out, index, item, env, [...path, index]);
    });
    return out;
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // defineProperty, so a "__proto__" key stays data instead of replacing the prototype.
      Object.defineProperty(out, key, {
        value: expandItem(out, key, item, env, [...path, key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

/** One value of an object or array; a string that held a reference is recorded as `container[key]`'s. */
function expandItem(
  container: object,
  key: PropertyKey,
  item: unknown,
  env: NodeJS.ProcessEnv,
  path: PropertyKey[],
): unknown {
  if (typeof item !== 'string') return expandEnv(item, env, path);
  const { text, references } = expandString(item, env, path);
  if (references.length > 0) markEnvSource(container, key, { template: item, text, references });
  return text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function expandString(
  text: string,
  env: NodeJS.ProcessEnv,
  path: PropertyKey[],
): { text: string; references: EnvReference[] } {
  const references: EnvReference[] = [];
  if (!text.includes('$')) return { text, references };
  const expanded = text.replace(REFERENCE, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === '$$') return '$';
    if (name === undefined) {
      throw new ConfigError(
        formatPath(path),
        `malformed variable reference ${JSON.stringify(match)}: expected \${NAME} or \${NAME:-default}`,
      );
    }
    if (fallback?.includes('${')) {
      // "${A:-${B}}" would end at the first "}": the default "${B" and a stray "}", unseen.
      throw new ConfigError(
        formatPath(path),
        `unsupported variable reference in the default of ${JSON.stringify(match)}: a default cannot hold \${…}`,
      );
    }
    const found = env[name];
    const gave = found !== undefined && found !== '' ? found : (fallback ?? found);
    if (gave === undefined) {
      throw new ConfigError(
        formatPath(path),
        `environment variable ${name} is not set (write \${${name}:-default} to give a fallback)`,
      );
    }
    references.push({ name, fallback, found, gave });
    return gave;
  });
  return { text: expanded, references };
}
