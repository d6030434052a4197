import { constants } from 'node:os';
import { createPrettyFormatter, DEFAULT_LEVELS } from '../index.js';
import { lineBatches } from './lines.js';
import { colourFor, Output } from './output.js';
import { shown } from './terminal.js';
import { DEFAULT_NAMES, LevelNames, LineRecord } from './pretty-record.js';
import { readableStdin, stdinFromProgram } from './stdin.js';
import { EXIT, flag, oneOf, parseCommand, text, UsageError } from './usage.js';

const HELP = `Usage: node app.js | streamlog pretty [options]

Pretty-prints NDJSON log lines from stdin (streamlog's and pino's) to stdout.
Lines that are not JSON objects pass through as they came; a bad line never stops it.
Control characters (in messages, keys and values, and in lines passed through) are shown
escaped, so a line can neither forge another line nor recolour the terminal.
Reading from a pipe, the first Ctrl-C (SIGINT) does not stop it: it prints what the program
before it logs while shutting down, and ends with its input; a second one ends it at once.
SIGTERM prints what was read, a line begun without its newline too, and ends it (within 2 s).

Options:
  --level <name|number>       print records at this level and above (non-JSON lines always)
  --levels <name=number,...>  the custom levels the lines use (a config's customLevels), e.g. audit=35
  --colour <auto|always|never> colour (auto: on a terminal; NO_COLOR and FORCE_COLOR honoured); --color too
  --utc                       clock times in UTC instead of local time
  --message-key <key>         the message's key (default msg)
  -h, --help                  this help
`;

/** How long, after SIGTERM, what was read may take to be printed. */
const SIGTERM_GRACE_MS = 2000;

const OPTIONS = {
  level: { type: 'string' },
  levels: { type: 'string' },
  colour: { type: 'string' },
  color: { type: 'string' },
  utc: { type: 'boolean' },
  'message-key': { type: 'string' },
} as const;

/** A level name as a config's customLevels takes it. */
const LEVEL_NAME = /^[a-z][a-zA-Z0-9_]*$/;

/** `--levels audit=35,notice=33`: names beside the defaults, each for a number of its own. */
function customLevels(value: string | undefined): LevelNames {
  const custom = new Map<string, number>();
  if (value === undefined) return new LevelNames(custom);
  for (const pair of value.split(',')) {
    const match = /^\s*([^=\s]+)\s*=\s*(\S+)\s*$/.exec(pair);
    if (match === null) throw new UsageError(`--levels: expected name=number pairs, not "${pair.trim()}"`);
    const [, name, number] = match as unknown as [string, string, string];
    if (!LEVEL_NAME.test(name)) {
      throw new UsageError(`--levels: "${name}" is not a level name (lowercase letters, digits and _, as in a config)`);
    }
    if (!/^\d+$/.test(number))
      throw new UsageError(`--levels: ${name}'s number must be a whole number, not "${number}"`);
    const level = Number(number);
    const defaultNumber = DEFAULT_NAMES.numberOf(name);
    if (defaultNumber !== undefined) throw new UsageError(`--levels: ${name} is a default level (${defaultNumber})`);
    const defaultName = DEFAULT_NAMES.nameOf(level);
    if (defaultName !== undefined) throw new UsageError(`--levels: ${level} is ${defaultName}'s number`);
    const given = custom.get(name);
    if (given !== undefined && given !== level)
      throw new UsageError(`--levels: ${name} given twice (${given}, ${level})`);
    for (const [other, value] of custom) {
      if (value === level && other !== name)
        throw new UsageError(`--levels: ${level} is named twice (${other}, ${name})`);
    }
    custom.set(name, level);
  }
  return new LevelNames(custom);
}

function threshold(value: string | undefined, levels: LevelNames): number {
  if (value === undefined) return Number.NEGATIVE_INFINITY;
  // In any case, as $LOG_LEVEL is read: `--level WARN` is what an operator types.
  const level = levels.numberOf(value.toLowerCase()) ?? levels.numberOf(value);
  if (level !== undefined) return level;
  if (/^\d+$/.test(value)) return Number(value);
  throw new UsageError(
    `--level must be a level name (${Object.keys(DEFAULT_LEVELS).join(', ')}, or one --levels names) or a whole number`,
  );
}

export async function prettyCommand(args: string[]): Promise<number> {
  const parsed = parseCommand(args, OPTIONS, HELP);
  if (!parsed) return EXIT.ok;
  const levels = customLevels(text(parsed, 'levels'));
  const minLevel = threshold(text(parsed, 'level'), levels);
  // --color is --colour's other spelling: giving both is giving it twice, as either twice is.
  if (text(parsed, 'colour') !== undefined && text(parsed, 'color') !== undefined) {
    throw new UsageError('--colour given twice (--color is its other spelling)');
  }
  const colour = oneOf(text(parsed, 'colour') ?? text(parsed, 'color'), ['auto', 'always', 'never'], '--colour');
  const messageKey = text(parsed, 'message-key') ?? 'msg';
  // As the config's messageKey: a key of its own, not one the line's head already uses.
  if (messageKey === '' || messageKey === 'level' || messageKey === 'time') {
    throw new UsageError(`--message-key: expected a key other than level and time, not "${messageKey}"`);
  }
  const formatter = createPrettyFormatter(
    { utc: flag(parsed, 'utc') },
    { colorize: colourFor(colour, process.stdout) },
  );
  const input = readableStdin();
  // Ctrl-C reaches every process of the pipeline: the program before us logs its shutdown
  // after it, and those lines are printed if we outlive it. We end when our input ends; a
  // second Ctrl-C ends us at once.
  const fromProgram = stdinFromProgram();
  if (fromProgram) process.once('SIGINT', () => {});
  if (process.pid === 1) endAsDefaultAsInit(fromProgram);
  // SIGTERM stops the reading: what was read is printed, a line begun without its newline
  // too, and then the process dies by the signal, as it would have at once.
  let terminated = false;
  process.once('SIGTERM', () => {
    terminated = true;
    input.destroy();
    // A reader that takes nothing (a pager left on its first page) would hold that printing,
    // and the process, for ever: after the grace it dies by the signal all the same.
    setTimeout(endBySigterm, SIGTERM_GRACE_MS).unref();
  });
  const out = new Output(process.stdout);

  try {
    for await (const lines of lineBatches(input)) {
      let text = '';
      for (const line of lines) text += prettyLine(line, formatter, messageKey, levels, minLevel);
      await out.write(text);
      if (out.gone) break;
    }
  } catch (error) {
    // What was read is printed; the reason on stderr, as pipe and ship say it.
    if (!terminated) {
      process.stderr.write(`streamlog: reading stopped: ${shown(error)}\n`);
      return EXIT.failed;
    }
  }
  // Its listener is gone: the signal raised again ends the process by it.
  if (terminated) endBySigterm();
  return EXIT.ok;
}

/**
 * As pid 1 (a container's command) the kernel ignores every signal init has no handler for:
 * Ctrl-C (the second one, reading a program's output) and SIGHUP did nothing, and the
 * process lived on until a SIGKILL. There, each ends it with the code a shell gives a
 * process ended by it.
 */
function endAsDefaultAsInit(fromProgram: boolean): void {
  let spared = fromProgram;
  process.on('SIGINT', () => {
    // The first is the once-listener's above: what the program before us logs after it is printed.
    if (spared) {
      spared = false;
      return;
    }
    process.exit(128 + constants.signals.SIGINT);
  });
  process.on('SIGHUP', () => process.exit(128 + constants.signals.SIGHUP));
}

/**
 * Ends the process as SIGTERM would have. As pid 1 (a container's command), the kernel
 * ignores a signal init has no handler for, so one raised again did nothing: the run ended
 * with 0 as if its input had ended, or lived on behind a reader that took nothing. There,
 * the exit code a shell gives a process ended by SIGTERM.
 */
function endBySigterm(): void {
  if (process.pid === 1) process.exit(128 + constants.signals.SIGTERM);
  process.kill(process.pid, 'SIGTERM');
}

/**
 * Control characters that could move the cursor, clear the screen or recolour the terminal
 * (C0 but tab, DEL, C1) and the line and paragraph separators, in a line that is not a JSON
 * object (a cut-off JSON line with raw escapes is one).
 */
// Controls but the tab, and bidi controls (as sanitize escapes them), which would show the line reordered.
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** A line that is not a JSON object, as it came but for its controls, shown escaped; a CRLF's CR is dropped. */
function passThrough(line: string): string {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  UNSAFE.lastIndex = 0;
  if (!UNSAFE.test(text)) return `${text}\n`;
  // In slices: one replace over a 16 MB piece of NULs held each of its 16 million escapes at
  // once (1.5 GB, and a 512 MB heap ran out); a slice's are garbage before the next is made.
  let out = '';
  for (let at = 0; at < text.length; at += ESCAPE_SLICE) {
    out += text.slice(at, at + ESCAPE_SLICE).replace(UNSAFE, escapeOf);
  }
  return `${out}\n`;
}

/** Characters escaped per replace (see passThrough). */
const ESCAPE_SLICE = 64 * 1024;

function escapeOf(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** One input line as output: pretty when it is a JSON object, else as it came (controls escaped). */
function prettyLine(
  line: string,
  formatter: ReturnType<typeof createPrettyFormatter>,
  messageKey: string,
  levels: LevelNames,
  minLevel: number,
): string {
  const start = line.charCodeAt(0) === 0x7b ? 0 : line.search(/\S/);
  if (start === -1 || line.charCodeAt(start) !== 0x7b) return passThrough(line);
  let object: unknown;
  try {
    // From its brace: JSON.parse takes no BOM (a file written with one starts so) nor NBSP.
    object = JSON.parse(start === 0 ? line : line.slice(start));
  } catch {
    return passThrough(line);
  }
  if (typeof object !== 'object' || object === null || Array.isArray(object)) return passThrough(line);
  try {
    const record = new LineRecord(object as Record<string, unknown>, messageKey, levels);
    if (record.level < minLevel) return '';
    return formatter.format(record);
  } catch {
    return passThrough(line);
  }
}
