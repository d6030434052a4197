const NEWLINE = 0x0a;

/** Spaces, tabs, CR, VT and FF: a line of only these is blank, and log.stream() makes no record of it. */
function blank(chunk: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const b = chunk[i]!;
    if (b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== 0x0b && b !== 0x0c) return false;
  }
  return true;
}

/**
 * Counts the lines read that log.stream() makes a record of (every line but blank ones), so
 * the summary can say how many were read beside how many were delivered, and knows whether
 * a source ended in the middle of a line.
 */
export class LineCount {
  lines = 0;
  /** The bytes since the last newline hold something other than blanks. */
  private open = false;
  /** The last byte seen was not a newline. */
  midLine = false;

  add(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (bytes.length === 0) return;
    let start = 0;
    for (let nl = bytes.indexOf(NEWLINE); nl !== -1; nl = bytes.indexOf(NEWLINE, start)) {
      if (this.open || !blank(bytes, start, nl)) this.lines++;
      this.open = false;
      start = nl + 1;
    }
    if (!this.open && !blank(bytes, start, bytes.length)) this.open = true;
    this.midLine = bytes[bytes.length - 1] !== NEWLINE;
  }

  /** The source ended: a last line without a newline is a record too. */
  end(): void {
    if (this.open) this.lines++;
    this.open = false;
    this.midLine = false;
  }
}
