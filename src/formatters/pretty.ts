import { type Colors, createColors } from './load-colors.cjs';
import { lazySchema } from '../core/util/lazy-schema.js';
import { bool, object, optional } from '../core/util/plain-checks.js';
import type { FormatterContext, FormatterPlugin } from '../core/plugin/registry.js';
import { endingLines } from '../core/record/ending-lines.js';
import type { Formatter, LogRecord } from '../core/record/log-record.js';
import { recordParts } from './parts.js';
import { sanitize } from '../core/util/sanitize.js';

const INDENT = '    ';

function levelPainter(colors: Colors, label: string): (text: string) => string {
  switch (label) {
    case 'trace':
      return colors.gray;
    case 'debug':
      return colors.blue;
    case 'info':
      return colors.green;
    case 'warn':
      return colors.yellow;
    case 'error':
      return colors.red;
    case 'fatal':
      return (text) => colors.bgRed(colors.white(text));
    default:
      return colors.magenta;
  }
}

/** `HH:MM:SS.mmm`; the `HH:MM:SS` part is kept for the last second seen (records come in bursts). */
function clockFor(utc: boolean): (time: number) => string {
  let lastSecond = Number.NaN;
  let lastText = '';
  const pad = (n: number): string => (n < 10 ? `0${n}` : String(n));
  return (time) => {
    const second = Math.floor(time / 1000) * 1000;
    const ms = Math.floor(time - second);
    if (second !== lastSecond) {
      const d = new Date(second);
      const [h, m, s] = utc
        ? [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
        : [d.getHours(), d.getMinutes(), d.getSeconds()];
      lastSecond = second;
      lastText = `${pad(h)}:${pad(m)}:${pad(s)}.`;
    }
    return lastText + (ms < 10 ? `00${ms}` : ms < 100 ? `0${ms}` : String(ms));
  };
}

/** A value on one line: strings as text, the rest as JSON; all of it sanitised. */
function inline(value: unknown): string {
  return sanitize(typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null'));
}

function isErrorShape(value: unknown): value is { type?: unknown; message?: unknown; stack?: unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { stack?: unknown }).stack === 'string';
}

/**
 * How many lines a stack starts with that the line above it shows already: `TypeError: bad
 * input` (over as many lines as the message), or `Error: outer` of a message that goes on with
 * its causes (`outer: inner`). A stack that starts otherwise (an error renamed after it was
 * made, a trace of another kind) is shown whole.
 */
function shownAbove(stack: string[], type: unknown, message: unknown): number {
  const text = (value: unknown): string => (typeof value === 'string' ? value : inline(value));
  const head = `${text(type)}: ${text(message)}`;
  const headLines = head.split('\n');
  if (headLines.every((line, i) => stack[i] === line)) return headLines.length;
  const first = stack[0]!;
  return first !== '' && head.startsWith(`${first}: `) ? 1 : 0;
}

/**
 * Error stacks are the one multi-line part: each line indented, so none can pose as a record.
 * `stackShown`: the error's stack is printed already, in its parent's after "caused by:" (as
 * the err serializer writes a cause chain): its frames are not printed twice.
 */
function errorLines(
  key: string,
  error: Record<string, unknown>,
  colors: Colors,
  indent: string,
  stackShown = false,
): string[] {
  const type = error.type ?? 'Error';
  const message = error.message ?? '';
  const lines = [`${indent}${colors.cyan(sanitize(key))}: ` + `${colors.red(inline(type))}: ${inline(message)}`];
  const stack = String(error.stack);
  const frames = stack.split('\n');
  if (!stackShown) {
    for (const frame of frames.slice(shownAbove(frames, type, message)))
      lines.push(`${indent}${INDENT}${colors.gray(sanitize(frame.trim()))}`);
  }
  for (const [innerKey, value] of Object.entries(error)) {
    if (innerKey === 'type' || innerKey === 'message' || innerKey === 'stack') continue;
    if (isErrorShape(value)) {
      const inParent = stack.includes(`\ncaused by: ${String(value.stack)}`);
      lines.push(...errorLines(innerKey, value as Record<string, unknown>, colors, indent + INDENT, inParent));
    } else lines.push(`${indent}${INDENT}${colors.cyan(sanitize(innerKey))}: ${inline(value)}`);
  }
  return lines;
}

export interface PrettyFormatterOptions {
  /** Print clock times in UTC rather than local time. */
  utc?: boolean | undefined;
  /** Override the destination-based colour decision. */
  colorize?: boolean | undefined;
}

/** `[12:00:00.000] INFO (api/4242): hello` then one indented line per field. */
export function createPrettyFormatter(
  options: PrettyFormatterOptions = {},
  context: FormatterContext = { colorize: false },
): Formatter {
  const colors = createColors(options.colorize ?? context.colorize);
  const clock = clockFor(options.utc ?? false);
  return {
    name: 'pretty',
    format: endingLines((record: LogRecord): string => {
      const parts = recordParts(record);
      const paint = levelPainter(colors, parts.label);
      let head = parts.time === undefined ? '' : `[${clock(parts.time)}] `;
      head += paint(sanitize(parts.label.toUpperCase()));
      const origin = [parts.name, parts.pid]
        .filter((v) => v !== undefined)
        .map(inline)
        .join('/');
      if (origin) head += ` (${origin})`;
      head += ':';
      if (parts.msg !== undefined) head += ' ' + colors.bold(sanitize(parts.msg));
      const lines = [head];
      for (const key of parts.fieldKeys) {
        const value = parts.view[key];
        if (isErrorShape(value)) lines.push(...errorLines(key, value as Record<string, unknown>, colors, INDENT));
        else lines.push(`${INDENT}${colors.cyan(sanitize(key))}: ${inline(value)}`);
      }
      return lines.join('\n') + '\n';
    }),
  };
}

export const prettyFormatterPlugin: FormatterPlugin = {
  schema: lazySchema(
    (z) => z.strictObject({ utc: z.boolean().optional(), colorize: z.boolean().optional() }),
    object({ utc: optional(bool), colorize: optional(bool) }),
  ),
  create: (options: PrettyFormatterOptions, context) => createPrettyFormatter(options, context),
};

declare module '../core/plugin/registry.js' {
  interface FormatterTypes {
    pretty: PrettyFormatterOptions;
  }
}
