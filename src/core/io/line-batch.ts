/**
 * Lines gathered until the current tick ends or `maxBytes` is reached, then handed out in
 * one piece: the "one write per tick" of stdout, files and the dead-letter file. What the
 * batch does with the piece is its owner's business (`writeOut`). The bound is in UTF-8
 * bytes, so what a SIGKILL can lose is bounded in bytes whatever the script of the text.
 */
export class LineBatch<T> {
  lines: string[] = [];
  items: T[] = [];
  /** UTF-8 bytes buffered. */
  bytes = 0;
  private scheduled = false;

  constructor(
    private readonly writeOut: (lines: string[], items: T[]) => void,
    private readonly maxBytes: number,
  ) {}

  get empty(): boolean {
    return this.lines.length === 0;
  }

  /** Adds a line (`bytes`: its UTF-8 length, when the caller knows it); writes out when full, else at tick end. */
  push(line: string, item: T, bytes = Buffer.byteLength(line)): void {
    this.lines.push(line);
    this.items.push(item);
    this.bytes += bytes;
    if (this.bytes >= this.maxBytes) this.flush();
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
    this.bytes = 0;
    this.writeOut(lines, items);
  }

  private readonly onTick = (): void => {
    this.scheduled = false;
    this.flush();
  };
}
