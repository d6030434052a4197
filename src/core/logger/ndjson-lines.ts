const NEWLINE = 0x0a;

/** What gets each line: its text, and whether its end was cut off. */
export type LineSink = (text: string, truncated: boolean) => void;

/**
 * Splits bytes into lines in linear time, however the chunks fall: only complete lines
 * are decoded (so a multi-byte character split across chunks stays whole), and a line
 * longer than `maxLineBytes` keeps its first `maxLineBytes` bytes, marked truncated, while
 * the rest of it is skipped up to the next newline: memory stays bounded whatever a
 * producer sends.
 */
export class NdjsonLines {
  private pieces: Buffer[] = [];
  private pieceBytes = 0;
  private skipping = false;

  constructor(private readonly maxLineBytes: number) {}

  /** Feeds a chunk; `emit` gets every line it completes. */
  push(chunk: Buffer, emit: LineSink): void {
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      // A whole line inside the chunk, within bounds (the usual case): decoded in place, no copy.
      if (this.pieceBytes === 0 && !this.skipping && nl - start <= this.maxLineBytes) {
        emit(chunk.toString('utf8', start, nl), false);
      } else {
        this.keep(chunk.subarray(start, nl));
        this.finishLine(emit);
      }
      start = nl + 1;
    }
    if (start < chunk.length) this.keep(chunk.subarray(start));
  }

  /** The last line, when the input ends without a newline. */
  end(emit: LineSink): void {
    if (this.pieceBytes > 0 || this.skipping) this.finishLine(emit);
  }

  private keep(bytes: Buffer): void {
    if (this.skipping || bytes.length === 0) return;
    const room = this.maxLineBytes - this.pieceBytes;
    if (bytes.length > room) {
      bytes = bytes.subarray(0, room);
      this.skipping = true;
    }
    // A copy: the producer may reuse its buffer once write() calls back.
    this.pieces.push(Buffer.from(bytes));
    this.pieceBytes += bytes.length;
  }

  private finishLine(emit: LineSink): void {
    const text =
      this.pieces.length === 1 ? this.pieces[0]!.toString('utf8') : Buffer.concat(this.pieces).toString('utf8');
    const truncated = this.skipping;
    this.pieces = [];
    this.pieceBytes = 0;
    this.skipping = false;
    emit(text, truncated);
  }
}
