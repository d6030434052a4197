import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** A line longer than this (no newline in sight) is handed on in pieces, so memory stays bounded. */
const MAX_CARRY = 16 * 1024 * 1024;

/**
 * The lines of a byte stream, a chunk's worth at a time (one array per chunk, not one call
 * per line): a multi-byte character split across chunks stays whole, and the last line
 * counts even without a newline. `\r` is kept as part of the line.
 */
export async function* lineBatches(source: Readable): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for await (const chunk of source) {
    const text = carry + (typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer));
    const lines = text.split('\n');
    carry = lines.pop()!;
    if (carry.length > MAX_CARRY) {
      lines.push(carry);
      carry = '';
    }
    if (lines.length > 0) yield lines;
  }
  const rest = carry + decoder.end();
  if (rest.length > 0) yield [rest];
}
