import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ConfigError } from '../index.js';

/** The command's exit codes, the same for every subcommand. */
export const EXIT = {
  ok: 0,
  /** Records failed under the router strategy (pipe, ship); the config file cannot be read (check). */
  failed: 1,
  /** A usage mistake or an invalid config. */
  usage: 2,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0  done: every record delivered (pipe, ship), the config is valid (check)
  1  records failed or were dropped under the router strategy (pipe, ship; a one-line summary on stderr;
     records a validating target left out on purpose are no failure),
     or an input not read to its end (ship: a gzip cut short, a signal; pipe, pretty: stdin a directory,
     a socket reset), or the config file cannot be read (check), or stdout cannot be written (ENOSPC)
  2  usage mistake (unknown option, missing argument) or invalid config`;

/** A mistake in how the command was called: its message goes to stderr, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The config a command runs with is invalid: its problems go to stderr, one a line, exit code 2. */
export class InvalidConfigError extends Error {
  override readonly name = 'InvalidConfigError';
  constructor(
    /** The config file, when the command read one. */
    readonly file: string | undefined,
    readonly error: ConfigError,
  ) {
    super(error.message, { cause: error });
  }
}

/** Input that cannot be read (stdin a directory): its message goes to stderr, exit code 1. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/** The subcommand's options and operands, or undefined when --help was asked (and printed). */
export function parseCommand(args: string[], options: Options, help: string, positionals = false): Parsed | undefined {
  let parsed: Parsed & { tokens: { kind: string; name?: string }[] };
  try {
    parsed = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: positionals,
      strict: true,
      tokens: true,
    });
  } catch (error) {
    // Node's own words for an unknown option end in a hint about positional arguments that
    // misleads here (and leaves a quote open): say what the command takes instead.
    const unknown = /^Unknown option '([^']*)'/.exec((error as Error).message);
    // Node's sentences on lines of their own ("… is ambiguous.\nDid you forget …") make one line.
    if (unknown === null) throw new UsageError((error as Error).message.split('\n').join(' '));
    const known = [...Object.keys(options).map((name) => `--${name}`), '--help'].join(', ');
    throw new UsageError(`unknown option ${unknown[1]} (this command takes ${known})`);
  }
  // parseArgs keeps the last of two values silently: `-c prod.json … -c dev.json` is a mistake to name.
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || options[token.name!]?.type !== 'string') continue;
    if (seen.has(token.name!)) throw new UsageError(`--${token.name} given twice`);
    seen.add(token.name!);
  }
  if (parsed.values.help === true) {
    process.stdout.write(help);
    return undefined;
  }
  return parsed;
}

/** A string option's value (parseArgs types them loosely). */
export function text(parsed: Parsed, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function flag(parsed: Parsed, name: string): boolean {
  return parsed.values[name] === true;
}

/** One of a fixed set of words, or a UsageError naming the choices. */
export function oneOf<T extends string>(value: string | undefined, choices: readonly T[], option: string): T {
  if (value === undefined) return choices[0]!;
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${option} must be one of ${choices.join(', ')} (got "${value}")`);
}
