import type { Redactor } from '../record/redact.js';
import { DEFAULT_SAFE_OPTIONS, type Spent, valueJson } from '../record/serialize.js';
import { inspectRedacted } from './inspect-redacted.js';

/**
 * printf-style interpolation, pino's subset: %s %d %i %f %j %o %O %%.
 * Arguments without a placeholder are appended separated by spaces, as util.format does.
 * Objects written into the message are redacted first: a secret must not leave through %j.
 */
export function formatMessage(template: string, args: ArrayLike<unknown>, start: number, redactor?: Redactor): string {
  if (start >= args.length) return template;
  spent = undefined;
  let out = '';
  let argIndex = start;
  let last = 0;
  for (let i = 0; i < template.length - 1; i++) {
    if (template.charCodeAt(i) !== 37 /* % */) continue;
    const code = template[i + 1];
    if (code === '%') {
      out += template.slice(last, i) + '%';
      last = i + 2;
      i++;
      continue;
    }
    // Out of arguments: this placeholder stays as written, but a later `%%` still becomes `%`.
    if (argIndex >= args.length) {
      i++;
      continue;
    }
    let replacement: string | undefined;
    const arg = args[argIndex];
    switch (code) {
      case 's':
        replacement = typeof arg === 'object' && arg !== null ? safeInspect(redacted(arg, redactor)) : safeString(arg);
        break;
      case 'd':
      case 'f':
        // As pino: the number's text (a BigInt's digits, without the `n` of its literal).
        replacement = typeof arg === 'bigint' ? String(arg) : safeNumber(arg, false);
        break;
      case 'i':
        replacement = typeof arg === 'bigint' ? String(arg) : safeNumber(arg, true);
        break;
      case 'j':
      case 'o':
      case 'O':
        replacement = objectJson(redacted(arg, redactor));
        break;
    }
    if (replacement === undefined) continue;
    out += template.slice(last, i) + replacement;
    last = i + 2;
    argIndex++;
    i++;
  }
  out += template.slice(last);
  return argIndex < args.length ? `${out} ${joinArgs(args, argIndex, redactor)}` : out;
}

/** Arguments from `start` as message text, space-separated: objects as (redacted) JSON. */
export function joinArgs(args: ArrayLike<unknown>, start: number, redactor?: Redactor): string {
  if (start === 1) spent = undefined;
  let out = '';
  for (let i = start; i < args.length; i++) {
    const arg = args[i];
    if (i > start) out += ' ';
    out += typeof arg === 'object' && arg !== null ? objectJson(redacted(arg, redactor)) : safeString(arg);
  }
  return out;
}

/**
 * JSON of an interpolated value: native JSON.stringify for plain trees within budget (as
 * fields are written), the careful walker for anything else; 'null' where JSON has nothing.
 */
function objectJson(value: unknown): string {
  return valueJson(value, DEFAULT_SAFE_OPTIONS, callBudget) ?? 'null';
}

/**
 * The careful walker's budget for one call's message: its arguments draw on one, as its
 * fields do (a hundred `%j` of one big Map wrote it a hundred times). Made when first needed.
 */
let spent: Spent | undefined;

function callBudget(): Spent {
  spent ??= { nodes: 0, chars: 0 };
  return spent;
}

/** The object with the logger's redaction applied; the object itself when that fails (never throws). */
function redacted(value: unknown, redactor: Redactor | undefined): unknown {
  if (redactor === undefined || typeof value !== 'object' || value === null) return value;
  try {
    return redactor(value, true);
  } catch {
    return '[redaction failed]';
  }
}

/** Number(value) as text; a Symbol or a throwing valueOf gives NaN, as a failed conversion would. */
function safeNumber(value: unknown, integer: boolean): string {
  try {
    const n = Number(value);
    // pino floors (-1.5 gives -2), as its quick-format does.
    return String(integer ? Math.floor(n) : n);
  } catch {
    return 'NaN';
  }
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return safeInspect(value);
  }
}

function safeInspect(value: unknown): string {
  try {
    return inspectRedacted(value);
  } catch {
    return '[uninspectable]';
  }
}
