/**
 * Makes text safe for one terminal or logfmt line: C0/C1 controls, DEL, line and paragraph
 * separators, bidirectional controls (which reorder how the rest of a line reads: U+202E)
 * and lone surrogates become visible escapes, so data can neither start a forged line, nor
 * send escape sequences to the terminal, nor make a line appear to say what it does not.
 */
/** C0 and C1 controls, DEL, line and paragraph separators. */
export const CONTROLS = '\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029';
/** Bidirectional marks, embeddings, overrides and isolates. */
export const BIDI = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
const LONE_SURROGATE = '[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
const UNSAFE = new RegExp(`[${CONTROLS}${BIDI}]|${LONE_SURROGATE}`, 'g');

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(ch: string): string {
  return NAMED[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

export function sanitize(text: string): string {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(text) ? text.replace(UNSAFE, escapeChar) : text;
}
