import { BIDI, CONTROLS, sanitize } from '../core/util/sanitize.js';

/**
 * Anything that forces quoting: whitespace, =, quotes, backslashes, controls, separators,
 * bidirectional controls, surrogates (what sanitize escapes, inside the quotes).
 */
const NEEDS_QUOTES = new RegExp(`[\\s="\\\\${CONTROLS}${BIDI}\\ud800-\\udfff]`);

/** Longer strings are checked by the regular expression: it beats a loop over their characters. */
const SCAN_LIMIT = 64;

/** logfmt text: bare when safe, otherwise quoted with escapes; never a raw control byte. */
export function logfmtText(text: string): string {
  const length = text.length;
  if (length === 0) return '""';
  if (length <= SCAN_LIMIT) {
    // Printable ASCII is decided here: a space or "=" wants quotes, a quote or backslash an escape too.
    let quoted = false;
    let escapes = false;
    for (let i = 0; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code === 32 || code === 61) quoted = true;
      else if (code === 34 || code === 92) escapes = true;
      else if (code < 32 || code >= 0x7f) return escapedText(text);
    }
    if (escapes) return backslashed(text);
    return quoted ? '"' + text + '"' : text;
  }
  return escapedText(text);
}

/** Printable ASCII with quotes or backslashes (a JSON array, say): quoted, each one escaped. */
function backslashed(text: string): string {
  let out = '"';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 34 || code === 92) {
      out += text.slice(from, i) + '\\';
      from = i;
    }
  }
  return out + text.slice(from) + '"';
}

function escapedText(text: string): string {
  if (!NEEDS_QUOTES.test(text)) return text;
  return '"' + sanitize(text.replace(/[\\"]/g, '\\$&')) + '"';
}

/** logfmt value: numbers and booleans as they are, strings as text, the rest as JSON. */
export function logfmtValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return logfmtText(typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null'));
}

const PLAIN_KEY = /^[\w.\-/@:]+$/;

/** logfmt key: anything outside the usual key alphabet becomes "_". */
export function logfmtKey(key: string): string {
  if (PLAIN_KEY.test(key)) return key;
  const safe = key.replace(/[^\w.\-/@:]/g, '_');
  return safe.length > 0 ? safe : '_';
}
