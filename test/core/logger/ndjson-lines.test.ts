import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { characterEnd, NdjsonLines } from '../../../src/core/logger/ndjson-lines.js';

type Line = [text: string, truncated: boolean];

function split(chunks: Buffer[], maxLineBytes: number): Line[] {
  const lines: Line[] = [];
  const splitter = new NdjsonLines(maxLineBytes);
  const emit = (text: string, truncated: boolean) => lines.push([text, truncated]);
  for (const chunk of chunks) splitter.push(chunk, emit);
  splitter.end(emit);
  return lines;
}

/** Does `all[from, to)` hold a byte other than a blank (space, tab, CR, VT, FF)? */
function holdsSomething(all: Buffer, from: number, to: number): boolean {
  return [...all.subarray(from, to)].some((b) => ![0x20, 0x09, 0x0d, 0x0b, 0x0c].includes(b));
}

/**
 * The lines as the whole input holds them, each cut to its first `max` bytes (truncated when
 * what was cut off held more than blanks): what any chunking must give.
 */
function reference(chunks: Buffer[], max: number): Line[] {
  const all = Buffer.concat(chunks);
  const lines: Line[] = [];
  const line = (start: number, end: number): Line => {
    const truncated = end - start > max && holdsSomething(all, start + max, end);
    // Cut, a line ends at a whole character (by the rule its unit test shows below).
    const cut = truncated ? start + characterEnd(all.subarray(start, start + max), max) : Math.min(end, start + max);
    return [all.toString('utf8', start, cut), truncated];
  };
  let start = 0;
  for (let nl = all.indexOf(0x0a); nl !== -1; nl = all.indexOf(0x0a, start)) {
    lines.push(line(start, nl));
    start = nl + 1;
  }
  if (start < all.length) lines.push(line(start, all.length));
  return lines;
}

/** Bytes rich in what the splitter must get right: newlines, multi-byte characters, invalid sequences. */
const piece = fc.oneof(
  fc.constantFrom('\n', 'a', '{"msg":"x"}', 'é', '日本', '😀', '\r\n', '   ', '\t \r'),
  fc.string({ maxLength: 30 }),
  fc.uint8Array({ maxLength: 6 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);
const input = fc
  .array(fc.tuple(piece, fc.boolean()), { maxLength: 60 })
  .map((parts) => Buffer.concat(parts.map(([text, raw]) => Buffer.from(text, raw ? 'latin1' : 'utf8'))));

describe('NdjsonLines', () => {
  it('property: however the bytes are chunked and whatever the bound, the lines are those of the whole input', () => {
    fc.assert(
      fc.property(
        input,
        fc.array(fc.nat(40), { maxLength: 8 }),
        fc.integer({ min: 1, max: 80 }),
        (bytes, cuts, max) => {
          const chunks: Buffer[] = [];
          let at = 0;
          for (const cut of cuts) {
            chunks.push(bytes.subarray(at, Math.min(bytes.length, at + cut)));
            at = Math.min(bytes.length, at + cut);
          }
          chunks.push(bytes.subarray(at));
          expect(split(chunks, max)).toEqual(reference(chunks, max));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('cuts a long ASCII line inside a chunk at the bound, and a multi-byte one by its bytes', () => {
    const chunk = Buffer.from(`short\n${'x'.repeat(20)}\nafter\n${'é'.repeat(8)}\n`);
    expect(split([chunk], 10)).toEqual([
      ['short', false],
      ['x'.repeat(10), true],
      ['after', false],
      ['é'.repeat(5), true],
    ]);
  });

  it('a line cut inside a multi-byte character ends before it, not with a U+FFFD', () => {
    // 'é' is 2 bytes, '日' 3, '😀' 4: cut at 11, 10 and 9 bytes each lands inside one.
    expect(split([Buffer.from(`${'é'.repeat(8)}\n`)], 11)).toEqual([['é'.repeat(5), true]]);
    expect(split([Buffer.from(`${'日'.repeat(5)}\n`)], 10)).toEqual([['日'.repeat(3), true]]);
    expect(split([Buffer.from(`a${'😀'.repeat(3)}\n`)], 9)).toEqual([['a😀😀', true]]);
    // Invalid bytes stay as the decoder reads them: no character to keep whole.
    expect(characterEnd(Buffer.from([0x61, 0x80, 0x80]), 3)).toBe(3);
    expect(characterEnd(Buffer.from([0x61, 0xe6, 0x97]), 3)).toBe(1);
    expect(characterEnd(Buffer.from([0x61, 0xe6, 0x97, 0xa5]), 4)).toBe(4);
  });
});
