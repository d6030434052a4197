import { objectList } from '../util/array-kinds.js';

/**
 * Lines gathered until the current tick ends or `maxBytes` is reached, then handed out as
 * one UTF-8 chunk: the "one write per tick" of stdout, files and the dead-letter file. What
 * the batch does with the chunk is its owner's business (`writeOut`). The bound is in UTF-8
 * bytes, so what a SIGKILL can lose is bounded in bytes whatever the script of the text.
 *
 * The lines are encoded into the chunk's buffer as they gather, a run of them at a time:
 * joined once and written once, which both flattens them and counts their bytes. Measuring
 * each line on its own, or measuring a joined string and then encoding it again at the
 * write, costs a pass over every byte more (a tenth of a small record's time). Lines not
 * yet encoded count as 3 bytes per UTF-16 unit (never less than their UTF-8 length: a
 * surrogate pair, 2 units, is 4 bytes) unless the caller gave their size; only when that
 * bound says the batch may be full is the run encoded and the count made exact.
 */
export class LineBatch<T> {
  lines: string[] = objectList();
  items: T[] = objectList();
  /** The chunk being built: `exact` bytes of it hold the lines before `encodedTo`. */
  private out: Buffer | undefined;
  /** A chunk's buffer its owner is done with, for the next chunk. */
  private spare: Buffer | undefined;
  private exact = 0;
  private encodedTo = 0;
  /** Of the lines not yet encoded: the sizes callers gave, and the UTF-16 units of the rest. */
  private sized = 0;
  private units = 0;
  private scheduled = false;

  /**
   * `writeOut` returns true when it is done with the chunk as it returns (a blocking write),
   * so its memory serves again.
   */
  constructor(
    private readonly writeOut: (lines: string[], items: T[], chunk: Buffer) => boolean,
    private readonly maxBytes: number,
  ) {}

  get empty(): boolean {
    return this.lines.length === 0;
  }

  /** UTF-8 bytes buffered: exact when every line came with its size, else an upper bound. */
  get bytes(): number {
    return this.exact + this.sized + this.units * MAX_UTF8_PER_UNIT;
  }

  /** Adds a line (`bytes`: its UTF-8 length, when the caller knows it); writes out when full, else at tick end. */
  push(line: string, item: T, bytes?: number): void {
    this.lines.push(line);
    this.items.push(item);
    if (bytes === undefined) this.units += line.length;
    else this.sized += bytes;
    let full = false;
    if (this.bytes >= this.maxBytes) {
      if (this.units === 0) full = true;
      else {
        this.encode();
        // Within an eighth of the bound is full: encoding ever smaller runs would cost more than it saves.
        full = this.exact >= this.maxBytes - (this.maxBytes >> 3);
      }
    }
    if (full) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.onTick);
    }
  }

  /** Encodes the lines not yet encoded into the chunk, growing it when the bound says they may not fit. */
  private encode(): void {
    const end = this.lines.length;
    const run = end - this.encodedTo === 1 ? this.lines[this.encodedTo]! : this.lines.slice(this.encodedTo).join('');
    const need = this.exact + this.sized + this.units * MAX_UTF8_PER_UNIT;
    if (this.out === undefined) {
      this.out = this.spare;
      this.spare = undefined;
    }
    if (this.out === undefined || this.out.length < need) this.grow(need);
    this.exact += this.out!.write(run, this.exact);
    this.sized = 0;
    this.units = 0;
    this.encodedTo = end;
  }

  private grow(need: number): void {
    // A batch that fills gathers past the bound by up to a line: room for that, so it grows once.
    const size = Math.max(need < this.maxBytes ? need : need + (this.maxBytes >> 1), 2 * (this.out?.length ?? 0));
    const next = Buffer.allocUnsafe(size);
    if (this.out !== undefined) this.out.copy(next, 0, 0, this.exact);
    this.out = next;
  }

  /** Hands everything buffered to the owner now. */
  flush(): void {
    if (this.lines.length === 0) return;
    if (this.encodedTo < this.lines.length) this.encode();
    const lines = this.lines;
    const items = this.items;
    const out = this.out!;
    const chunk = out.subarray(0, this.exact);
    this.lines = objectList();
    this.items = objectList();
    this.out = undefined;
    this.exact = 0;
    this.encodedTo = 0;
    // A buffer grown for one huge line is let go: kept as the spare, it would be held for good.
    if (this.writeOut(lines, items, chunk) && out.length <= MAX_SPARE_BOUNDS * this.maxBytes) this.spare = out;
  }

  private readonly onTick = (): void => {
    this.scheduled = false;
    this.flush();
  };
}

const MAX_UTF8_PER_UNIT = 3;
/** The largest buffer kept for the next chunk, in bounds (a full chunk's buffer is about 1.5). */
const MAX_SPARE_BOUNDS = 4;
