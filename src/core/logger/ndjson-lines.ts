const NEWLINE = 0x0a;
/** The first buffer for a line begun: most lines split across chunks are short. */
const MIN_HELD = 256;
/** A buffer up to this size is kept between lines. */
const KEEP_HELD = 16 * 1024;
/** A UTF-16 unit of decoded text stands for at most this many bytes of the input. */
const MAX_BYTES_PER_UNIT = 3;

/**
 * What gets each line: its text, and whether its end was cut off. A cut-off end of blanks
 * alone (spaces, tabs, CR, VT, FF: whitespace between JSON tokens) loses nothing a reader of
 * the line would see, so that line is not marked truncated.
 */
export type LineSink = (text: string, truncated: boolean) => void;

/** Are `bytes` all blanks (spaces, tabs, CR, VT, FF)? */
function blanks(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== 0x0b && b !== 0x0c) return false;
  }
  return true;
}

/**
 * Splits bytes into lines in linear time, however the chunks fall: only complete lines
 * are decoded (so a multi-byte character split across chunks stays whole), and a line
 * longer than `maxLineBytes` keeps its first `maxLineBytes` bytes, marked truncated, while
 * the rest of it is skipped up to the next newline: memory stays bounded whatever a
 * producer sends.
 */
export class NdjsonLines {
  /**
   * The bytes of the line begun, gathered in one buffer that doubles as it fills (up to
   * `maxLineBytes`): a line written a byte at a time must not cost a Buffer object per
   * write (a 1 MiB line of 1-byte writes held 107 MB of heap as a list of pieces).
   */
  private held: Buffer | undefined;
  private pieceBytes = 0;
  private skipping = false;
  /** What is being skipped of a cut-off line held something besides blanks. */
  private cutSomething = false;

  constructor(private readonly maxLineBytes: number) {}

  /** Feeds a chunk; `emit` gets every line it completes. */
  push(chunk: Buffer, emit: LineSink): void {
    let start = 0;
    if (this.pieceBytes > 0 || this.skipping) {
      // The end of a line begun in an earlier chunk.
      const nl = chunk.indexOf(NEWLINE);
      if (nl === -1) {
        this.keep(chunk);
        return;
      }
      this.keep(chunk.subarray(0, nl));
      this.finishLine(emit);
      start = nl + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last >= start) {
      this.wholeLines(chunk, start, last, emit);
      start = last + 1;
    }
    if (start < chunk.length) this.keep(chunk.subarray(start));
  }

  /** Whether a line is begun (bytes held, or a cut-off line's rest being skipped). */
  get begun(): boolean {
    return this.pieceBytes > 0 || this.skipping;
  }

  /** The last line, when the input ends without a newline. */
  end(emit: LineSink): void {
    if (this.pieceBytes > 0 || this.skipping) this.finishLine(emit);
  }

  /**
   * The lines of `chunk[from..last]` (`last` is a newline), decoded in one piece and cut at
   * its newlines: one native call per chunk, not per line. A newline byte is never part of
   * a multi-byte character (nor of an invalid sequence), so each slice is the line's own
   * decoding. Byte offsets are known when every byte decoded to one unit; otherwise a line's
   * bytes are at most three per unit, which proves short lines within bounds.
   */
  private wholeLines(chunk: Buffer, from: number, last: number, emit: LineSink): void {
    const text = chunk.toString('utf8', from, last + 1);
    const unitPerByte = text.length === last + 1 - from;
    if (!unitPerByte && text.length * MAX_BYTES_PER_UNIT > this.maxLineBytes) {
      this.linesByBytes(chunk, from, last, emit);
      return;
    }
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      if (nl - start <= this.maxLineBytes) emit(text.slice(start, nl), false);
      else {
        // Only reached when units are bytes, so the offsets are the chunk's.
        this.keep(chunk.subarray(from + start, from + nl));
        this.finishLine(emit);
      }
      start = nl + 1;
    }
  }

  /** Line by line in bytes: a chunk with multi-byte text and a bound too small to prove. */
  private linesByBytes(chunk: Buffer, from: number, last: number, emit: LineSink): void {
    let start = from;
    for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1 && nl <= last; nl = chunk.indexOf(NEWLINE, start)) {
      if (nl - start <= this.maxLineBytes) emit(chunk.toString('utf8', start, nl), false);
      else {
        this.keep(chunk.subarray(start, nl));
        this.finishLine(emit);
      }
      start = nl + 1;
    }
  }

  private keep(bytes: Buffer): void {
    if (this.skipping) {
      if (!this.cutSomething) this.cutSomething = !blanks(bytes);
      return;
    }
    if (bytes.length === 0) return;
    const room = this.maxLineBytes - this.pieceBytes;
    if (bytes.length > room) {
      this.cutSomething = !blanks(bytes.subarray(room));
      bytes = bytes.subarray(0, room);
      this.skipping = true;
    }
    if (bytes.length === 0) return;
    const need = this.pieceBytes + bytes.length;
    if (this.held === undefined || this.held.length < need) {
      const grown = Math.min(this.maxLineBytes, Math.max(need, 2 * (this.held?.length ?? 0), MIN_HELD));
      const next = Buffer.allocUnsafe(grown);
      if (this.held !== undefined) this.held.copy(next, 0, 0, this.pieceBytes);
      this.held = next;
    }
    // A copy: the producer may reuse its buffer once write() calls back.
    bytes.copy(this.held, this.pieceBytes);
    this.pieceBytes = need;
  }

  private finishLine(emit: LineSink): void {
    const truncated = this.skipping && this.cutSomething;
    // A line cut at the bound ends at a whole character, not in the middle of one (a U+FFFD).
    const end = truncated && this.held !== undefined ? characterEnd(this.held, this.pieceBytes) : this.pieceBytes;
    const text = this.held === undefined ? '' : this.held.toString('utf8', 0, end);
    // A small buffer is kept for the next line begun in one chunk and ended in another; a
    // large one is let go, so an idle stream does not hold a long line's worth.
    if (this.held !== undefined && this.held.length > KEEP_HELD) this.held = undefined;
    this.pieceBytes = 0;
    this.skipping = false;
    this.cutSomething = false;
    emit(text, truncated);
  }
}

/**
 * Where the UTF-8 `bytes[0..end)` ends at a character's end: `end`, or before a last
 * character that the cut left without all of its bytes.
 */
export function characterEnd(bytes: Uint8Array, end: number): number {
  let lead = end - 1;
  // At most three continuation bytes (10xxxxxx) follow a character's first byte.
  while (lead >= 0 && end - lead <= 3 && (bytes[lead]! & 0xc0) === 0x80) lead--;
  if (lead < 0) return end;
  const first = bytes[lead]!;
  const length = first >= 0xf0 ? 4 : first >= 0xe0 ? 3 : first >= 0xc0 ? 2 : 1;
  return end - lead < length ? lead : end;
}
