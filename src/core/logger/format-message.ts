import { inspect } from 'node:util';
import { safeJson } from '../record/serialize.js';

/**
 * printf-style interpolation, pino's subset: %s %d %i %f %j %o %O %%.
 * Arguments without a placeholder are appended separated by spaces, as util.format does.
 */
export function formatMessage(template: string, args: ArrayLike<unknown>, start: number): string {
  if (start >= args.length) return template;
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
    if (argIndex >= args.length) break;
    let replacement: string | undefined;
    const arg = args[argIndex];
    switch (code) {
      case 's':
        replacement = typeof arg === 'object' && arg !== null ? safeInspect(arg) : safeString(arg);
        break;
      case 'd':
      case 'f':
        replacement = typeof arg === 'bigint' ? `${arg}n` : safeNumber(arg, false);
        break;
      case 'i':
        replacement = typeof arg === 'bigint' ? `${arg}n` : safeNumber(arg, true);
        break;
      case 'j':
      case 'o':
      case 'O':
        replacement = safeJson(arg);
        break;
    }
    if (replacement === undefined) continue;
    out += template.slice(last, i) + replacement;
    last = i + 2;
    argIndex++;
    i++;
  }
  out += template.slice(last);
  for (; argIndex < args.length; argIndex++) {
    const arg = args[argIndex];
    out += ' ' + (typeof arg === 'object' && arg !== null ? safeJson(arg) : safeString(arg));
  }
  return out;
}

/** Number(value) as text; a Symbol or a throwing valueOf gives NaN, as a failed conversion would. */
function safeNumber(value: unknown, integer: boolean): string {
  try {
    const n = Number(value);
    return String(integer ? Math.trunc(n) : n);
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
    return inspect(value, { depth: 4, breakLength: Infinity });
  } catch {
    return '[uninspectable]';
  }
}
