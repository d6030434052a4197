import { ConfigError, formatPath } from './errors.js';

/** Deeper than any config needs; a deeper value (or a cycle, from code) would overflow the stack. */
const MAX_DEPTH = 100;

const REFERENCE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{[^}]*\}?/g;

/**
 * Expands `${VAR}` and `${VAR:-default}` in every string of a JSON value; `$$` is a literal
 * `$`. A variable that is unset (and has no default) is a ConfigError at that path; so is
 * an object or array nested deeper than MAX_DEPTH, at the option it is under.
 */
export function expandEnv(value: unknown, env: NodeJS.ProcessEnv = process.env, path: PropertyKey[] = []): unknown {
  if (typeof value === 'string') return expandString(value, env, path);
  if (path.length > MAX_DEPTH && typeof value === 'object' && value !== null) {
    throw new ConfigError(
      formatPath(path.slice(0, 2)),
      `expected a value nested at most ${MAX_DEPTH} levels deep (or, from code, an object without a cycle)`,
    );
  }
  if (Array.isArray(value)) return value.map((item, index) => expandEnv(item, env, [...path, index]));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // defineProperty, so a "__proto__" key stays data instead of replacing the prototype.
      Object.defineProperty(out, key, {
        value: expandEnv(item, env, [...path, key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function expandString(text: string, env: NodeJS.ProcessEnv, path: PropertyKey[]): string {
  if (!text.includes('$')) return text;
  return text.replace(REFERENCE, (match, name: string | undefined, fallback: string | undefined) => {
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
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    if (found === '') return '';
    throw new ConfigError(
      formatPath(path),
      `environment variable ${name} is not set (write \${${name}:-default} to give a fallback)`,
    );
  });
}
