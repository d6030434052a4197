import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** A line longer than this (no newline in sight) is handed on in pieces, so memory stays bounded. */
const MAX_CARRY = 16 * 1024 * 1024;
/**
 * Pieces of a line begun that are joined into one as they gather: a producer that writes a
 * byte per read would otherwise make an array slot (and a string) per byte of the line.
 */
const JOIN_PIECES = 1024;

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
  /** Pieces before this index are joined blocks. */
  let joined = 0;
  let carried = 0;
  let failure: { error: unknown } | undefined;
  try {
    for await (const chunk of source) {
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
      const first = text.indexOf('\n');
      if (first === -1) {
        pieces.push(text);
        carried += text.length;
        // Joined a block at a time (blocks stay pieces of their own): each byte is copied once
        // more, not once per join.
        if (pieces.length - joined >= JOIN_PIECES) {
          const block = pieces.splice(joined).join('');
          pieces.push(block);
          joined = pieces.length;
        }
        if (carried > MAX_CARRY) {
          yield [pieces.join('')];
          pieces = [];
          joined = 0;
          carried = 0;
        }
        continue;
      }
      const lines = text.split('\n');
      lines[0] = pieces.join('') + lines[0];
      const rest = lines.pop()!;
      pieces = rest.length > 0 ? [rest] : [];
      joined = 0;
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
