import { sanitize } from '../index.js';

/**
 * Text from outside the command (a backend's answer quoted in a failure, a key or value of a
 * config, a file's name) as one line the terminal shows and does not act on: controls,
 * line breaks and escape sequences become visible escapes, so none can recolour the terminal
 * or forge a line of the command's own.
 */
export function shown(text: unknown): string {
  return sanitize(text instanceof Error ? text.message : String(text));
}
