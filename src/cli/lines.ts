import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** A line longer than this (no newline in sight) is handed on in pieces, so memory stays bounded. */
const MAX_CARRY = 16 * 1024 * 1024;

/**
 * The lines of a byte stream, a chunk's worth at a time (one array per chunk, not one call
 * per line): a multi-byte character split across chunks stays whole, and the last line
 * counts even without a newline. `\r` is kept as part of the line. Only each new chunk is
 * searched for a newline, and a long line's pieces are joined once, so a line of many
 * chunks costs its length, not its length times its chunks.
 */
export async function* lineBatches(source: Readable): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let pieces: string[] = [];
  let carried = 0;
  let failure: { error: unknown } | undefined;
  try {
    for await (const chunk of source) {
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
      const first = text.indexOf('\n');
      if (first === -1) {
        pieces.push(text);
        carried += text.length;
        if (carried > MAX_CARRY) {
          yield [pieces.join('')];
          pieces = [];
          carried = 0;
        }
        continue;
      }
      const lines = text.split('\n');
      lines[0] = pieces.join('') + lines[0];
      const rest = lines.pop()!;
      pieces = rest.length > 0 ? [rest] : [];
      carried = rest.length;
      yield lines;
    }
  } catch (error) {
    // The source failed (a reset socket): the line begun is still a line read, then the error.
    failure = { error };
  }
  const rest = pieces.join('') + decoder.end();
  if (rest.length > 0) yield [rest];
  if (failure) throw failure.error;
}
