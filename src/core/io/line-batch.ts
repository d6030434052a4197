/**
 * Lines gathered until the current tick ends or `maxChars` is reached, then handed out in
 * one piece: the "one write per tick" of stdout, files and the dead-letter file. What the
 * batch does with the piece is its owner's business (`writeOut`).
 */
export class LineBatch<T> {
  lines: string[] = [];
  items: T[] = [];
  /** UTF-16 units buffered: a cheap stand-in for bytes on the hot path. */
  chars = 0;
  private scheduled = false;

  constructor(
    private readonly writeOut: (lines: string[], items: T[]) => void,
    private readonly maxChars: number,
  ) {}

  get empty(): boolean {
    return this.lines.length === 0;
  }

  /** Adds a line; writes out now when the batch is full, else at the end of the tick. */
  push(line: string, item: T): void {
    this.lines.push(line);
    this.items.push(item);
    this.chars += line.length;
    if (this.chars >= this.maxChars) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.onTick);
    }
  }

  /** Hands everything buffered to the owner now. */
  flush(): void {
    if (this.lines.length === 0) return;
    const lines = this.lines;
    const items = this.items;
    this.lines = [];
    this.items = [];
    this.chars = 0;
    this.writeOut(lines, items);
  }

  private readonly onTick = (): void => {
    this.scheduled = false;
    this.flush();
  };
}
