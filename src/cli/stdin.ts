import { fstatSync, type Stats } from 'node:fs';
import type { Readable } from 'node:stream';
import { InputError } from './usage.js';

function stdinStats(): Stats | undefined {
  try {
    return fstatSync(0);
  } catch {
    // No stat (an fd 0 Node put in place itself): the stream says what it can.
    return undefined;
  }
}

/**
 * The command's stdin, once it is known to be something that can be read: Node hands a
 * directory on fd 0 to a program as an empty stream (no EISDIR), so `streamlog pipe < /var/log`
 * would read nothing and say all went well.
 */
export function readableStdin(): Readable {
  if (stdinStats()?.isDirectory()) throw new InputError('stdin is a directory (EISDIR): nothing to read');
  return process.stdin;
}

/**
 * stdin is a pipe or a socket: another program writes it, and ends it when it ends (where
 * a terminal or a file has no writer to wait for).
 */
export function stdinFromProgram(): boolean {
  const stats = stdinStats();
  return stats !== undefined && (stats.isFIFO() || stats.isSocket());
}
