import { isUtf8 } from 'node:buffer';
import { closeSync, constants, existsSync, fstatSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { readBounded } from '../io/read-bounded.js';
import { ConfigError } from './errors.js';
import { locateJsonError } from './json-location.js';

export interface LoadedConfig {
  config: unknown;
  /** Folder relative paths in the config resolve against. */
  baseDir: string;
  /** Where it came from, for messages; undefined for the built-in default. */
  source: string | undefined;
}

/**
 * A config file larger than this is refused before it is read: no config needs it, and one
 * of 127 MB (a log written to the config's path by mistake) took 25 s and 2 GB to check.
 */
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** Reads and parses a JSON config file; every failure is a ConfigError naming the file. */
export function readConfigFile(path: string): LoadedConfig {
  const file = resolve(path);
  let bytes: Buffer;
  let fd: number | undefined;
  try {
    // Opened without blocking and looked at first: reading a FIFO no one writes to would wait for ever.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'not a regular file' });
    const read = stat.size > MAX_CONFIG_BYTES ? undefined : readBounded(fd, MAX_CONFIG_BYTES);
    if (read === undefined) {
      const size = stat.size > MAX_CONFIG_BYTES ? `${(stat.size / 1024 / 1024).toFixed(1)} MiB` : 'more';
      throw Object.assign(new Error('too large'), {
        code: `${size}, over the ${MAX_CONFIG_BYTES >> 20} MiB a config may be`,
      });
    }
    bytes = read;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError('', `cannot read config file ${file}: ${code}`, { cause: error });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  let text = bytes.toString('utf8');
  // Decoded as it is, a byte that is not UTF-8 would become U+FFFD in a value (a password, a header) unseen.
  if (!isUtf8(bytes)) {
    const where = firstInvalidUtf8(bytes, text);
    throw new ConfigError('', `config file ${file} is not valid UTF-8 (save it as UTF-8): ${where}`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (error) {
    const where = locateJsonError(text);
    const detail = where ? `line ${where.line}, column ${where.column}: ${where.problem}` : (error as Error).message;
    throw new ConfigError('', `invalid JSON in ${file} at ${detail}`, { cause: error });
  }
  // A key given twice: JSON.parse keeps the last, so the first (a "level" set above) is lost unseen.
  // (Nesting too deep to scan is left to the options' own check, which names where.)
  const duplicate = locateJsonError(text, { duplicates: true });
  if (duplicate?.duplicate) {
    throw new ConfigError('', `${file} at line ${duplicate.line}, column ${duplicate.column}: ${duplicate.problem}`);
  }
  return { config, baseDir: dirname(file), source: file };
}

/** Line, column and byte of the first byte sequence that is not UTF-8 (a U+FFFD in `text` the file did not hold). */
function firstInvalidUtf8(bytes: Buffer, text: string): string {
  for (let at = text.indexOf('\uFFFD'); at !== -1; at = text.indexOf('\uFFFD', at + 1)) {
    const before = text.slice(0, at);
    const offset = Buffer.byteLength(before);
    if (bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd) continue;
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    return `line ${line}, column ${column} (byte ${offset})`;
  }
  return 'a byte sequence that is not UTF-8';
}

/** `$STREAMLOG_CONFIG`, then ./streamlog.json, else undefined (use the built-in default). */
export function findDefaultConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | undefined {
  if (env.STREAMLOG_CONFIG) return env.STREAMLOG_CONFIG;
  const local = resolve(cwd, 'streamlog.json');
  return existsSync(local) ? local : undefined;
}
