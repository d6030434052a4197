import { fstatSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { InputError } from './usage.js';

/**
 * The command's stdin, once it is known to be something that can be read: Node hands a
 * directory on fd 0 to a program as an empty stream (no EISDIR), so `streamlog pipe < /var/log`
 * would read nothing and say all went well.
 */
export function readableStdin(): Readable {
  let directory = false;
  try {
    directory = fstatSync(0).isDirectory();
  } catch {
    // No stat (an fd 0 Node put in place itself): the stream says what it can.
  }
  if (directory) throw new InputError('stdin is a directory (EISDIR): nothing to read');
  return process.stdin;
}
