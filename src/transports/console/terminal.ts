import type { Writable } from 'node:stream';

/**
 * Colour only for terminals, following the NO_COLOR and FORCE_COLOR conventions:
 * FORCE_COLOR (not "0") forces it on, NO_COLOR (non-empty) turns it off.
 */
export function shouldColorize(stream: Writable, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (force === '0' || force === 'false') return false;
  return (stream as Writable & { isTTY?: boolean }).isTTY === true && env.TERM !== 'dumb';
}
