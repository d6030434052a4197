/**
 * Lines gathered until the current tick ends or `maxBytes` is reached, then handed out in
 * one piece: the "one write per tick" of stdout, files and the dead-letter file. What the
 * batch does with the piece is its owner's business (`writeOut`). The bound is in UTF-8
 * bytes, so what a SIGKILL can lose is bounded in bytes whatever the script of the text.
 *
 * Measuring each line's UTF-8 length costs a tenth of a small record's time, so a line whose
 * size the caller does not give counts as 3 bytes per UTF-16 unit (never less than its UTF-8
 * length: a surrogate pair, 2 units, is 4 bytes). Only when that bound says the batch may be
 * full are the lines not yet measured joined into one piece and measured at once; the pieces
 * make the chunk, so the join is not paid twice.
 */
export class LineBatch<T> {
  lines: string[] = [];
  items: T[] = [];
  /** Exact UTF-8 bytes of the lines measured so far (all of them, when callers give sizes). */
  private exact = 0;
  /** UTF-16 units of the lines from `measuredTo` on, not yet measured. */
  private units = 0;
  private measuredTo = 0;
  /** The measured lines, joined into pieces. */
  private pieces: string[] = [];
  private scheduled = false;

  constructor(
    private readonly writeOut: (lines: string[], items: T[], chunk: string) => void,
    private readonly maxBytes: number,
  ) {}

  get empty(): boolean {
    return this.lines.length === 0;
  }

  /** UTF-8 bytes buffered: exact when every line came with its size, else an upper bound. */
  get bytes(): number {
    return this.exact + this.units * MAX_UTF8_PER_UNIT;
  }

  /** Adds a line (`bytes`: its UTF-8 length, when the caller knows it); writes out when full, else at tick end. */
  push(line: string, item: T, bytes?: number): void {
    this.lines.push(line);
    this.items.push(item);
    let full: boolean;
    if (bytes === undefined) {
      this.units += line.length;
      if (this.exact + this.units * MAX_UTF8_PER_UNIT >= this.maxBytes) this.measure();
      // Within an eighth of the bound is full: measuring ever smaller remainders would cost more than it saves.
      full = this.exact >= this.maxBytes - (this.maxBytes >> 3);
    } else {
      if (this.units > 0) this.measure(this.lines.length - 1);
      this.exact += bytes;
      this.pieces.push(line);
      this.measuredTo = this.lines.length;
      full = this.exact >= this.maxBytes;
    }
    if (full) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.onTick);
    }
  }

  /** Joins the lines not yet measured (up to `end`) into one piece and counts its exact bytes. */
  private measure(end = this.lines.length): void {
    const piece = this.lines.slice(this.measuredTo, end).join('');
    this.pieces.push(piece);
    this.exact += Buffer.byteLength(piece);
    this.units = 0;
    this.measuredTo = end;
  }

  /** Hands everything buffered to the owner now. */
  flush(): void {
    if (this.lines.length === 0) return;
    const lines = this.lines;
    const items = this.items;
    let chunk: string;
    if (this.measuredTo === 0) chunk = lines.length === 1 ? lines[0]! : lines.join('');
    else {
      if (this.measuredTo < lines.length) this.pieces.push(lines.slice(this.measuredTo).join(''));
      chunk = this.pieces.length === 1 ? this.pieces[0]! : this.pieces.join('');
    }
    this.lines = [];
    this.items = [];
    this.pieces = [];
    this.exact = 0;
    this.units = 0;
    this.measuredTo = 0;
    this.writeOut(lines, items, chunk);
  }

  private readonly onTick = (): void => {
    this.scheduled = false;
    this.flush();
  };
}

const MAX_UTF8_PER_UNIT = 3;
