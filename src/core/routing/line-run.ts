import { doubleList, objectList } from '../util/array-kinds.js';
import type { Utf8Buffer } from '../util/utf8-buffer.js';

/**
 * Consecutive records' lines, held in as little memory as the lines allow: each line is kept
 * as what differs from the line before it (lines of one call site differ in a few bytes: a
 * time's last digits, a counter), as UTF-8 in a block of memory off the collected heap that
 * the next run uses again.
 *
 * Why: during a burst nothing can be sent in (a loop that never yields, a backend outage)
 * lines wait by the hundred thousand. Held as strings they filled the young generation
 * (which grew to its largest) and a large-object page per run of them, and every page of
 * fresh memory is paid for on its first touch: on this project's VMs 11–15 µs a page, more
 * than making the lines cost.
 *
 * Lines are written in groups of GROUP_LINES: joined and encoded as UTF-8 at once (one call,
 * not one a line), then each compared four bytes at a time with the line before.
 */

/** Bytes of a run's block: each line's header (its time and how it is made), then its own bytes. */
const RUN_BYTES = 128 * 1024;
/** Lines written at once. */
const GROUP_LINES = 64;
/** The most a line's header takes: its own length, head and tail (varints of three bytes at most), its time (nine). */
const MAX_HEADER_BYTES = 18;
/** The longest line a run takes, in characters (its UTF-8 is at most three bytes a character). */
export const MAX_RUN_LINE_CHARS = Math.floor(RUN_BYTES / 9);
/** A time is kept as its difference from the time before, when that is a whole number this small. */
const MAX_TIME_STEP = 2 ** 27;
/** A header's first byte for a time kept whole (a double follows), not as a difference. */
const WHOLE_TIME = 1;

/** Blocks kept for the next runs: a burst's pages are touched once, not at every burst. */
const spareBlocks: ArrayBufferLike[] = [];
const MAX_SPARE_BLOCKS = 8;

/**
 * Room for a group of lines as UTF-8 behind the last line written before them (what the
 * group's first line is compared with), or for the last line taken out (what the next one
 * is made from).
 */
export class LineScratch {
  /** None until a line is written: every target has two, and most never queue a line. */
  bytes = Buffer.alloc(0);
  view = new DataView(this.bytes.buffer, this.bytes.byteOffset, 0);
  /** The last line: `bytes[0, lastLength)`. */
  lastLength = 0;

  /** Room for `size` bytes, the last line kept. */
  fit(size: number): void {
    if (this.bytes.length >= size) return;
    const bytes = Buffer.allocUnsafeSlow(Math.max(size, this.bytes.length * 2, 16 * 1024));
    bytes.set(this.bytes.subarray(0, this.lastLength));
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer);
  }
}

/** Bytes the line at [start, end) shares with the start of the one at [lastStart, start) (see `tail`). */
function sharedHead(view: DataView, bytes: Uint8Array, lastStart: number, start: number, end: number): number {
  const shorter = Math.min(start - lastStart, end - start);
  let head = 0;
  while (head + 4 <= shorter && view.getInt32(start + head) === view.getInt32(lastStart + head)) head += 4;
  while (head < shorter && bytes[start + head] === bytes[lastStart + head]) head++;
  return head;
}

/** Bytes the line at [start, end) shares with the end of the one before it, `most` at most. */
function sharedTail(view: DataView, bytes: Uint8Array, start: number, end: number, most: number): number {
  let tail = 0;
  while (tail + 4 <= most && view.getInt32(end - 4 - tail) === view.getInt32(start - 4 - tail)) tail += 4;
  while (tail < most && bytes[end - 1 - tail] === bytes[start - 1 - tail]) tail++;
  return tail;
}

/** Copies `from[start, end)` to `to` at `at`: short runs in a loop, faster than making a view for a native copy. */
function copyBytes(from: Uint8Array, start: number, end: number, to: Uint8Array, at: number): void {
  if (end - start < 48) for (let i = start; i < end; i++) to[at++] = from[i]!;
  else to.set(from.subarray(start, end), at);
}

/**
 * Each line is, in its run's block: a header, then its own bytes. The header holds, as
 * varints, its own bytes' count (times two, plus one for a line kept as its string), its time
 * (see `putTime`), and unless kept as a string, the bytes it shares with the start (head)
 * and then with the end (tail) of the line before. For lines of one call site that is four
 * or five bytes and one or two of their own: a fifth of a fixed layout's.
 */
export class LineRun {
  /** Not zeroed: a page is paid for when first written, and a run of few lines writes few. */
  private readonly block = spareBlocks.pop() ?? Buffer.allocUnsafeSlow(RUN_BYTES).buffer;
  private readonly bytes = new Uint8Array(this.block, 0, RUN_BYTES);
  private readonly view = new DataView(this.block, 0, RUN_BYTES);
  /** Bytes written; where the next line is read from. */
  private used = 0;
  private readAt = 0;
  /**
   * The last time written, and the last read: the next is kept as its difference from it.
   * NaN before the first (never a step: the first line's time is written whole), which also
   * makes them doubles from the start, as the times they take are.
   */
  private lastTime = Number.NaN;
  private readTime = Number.NaN;
  /**
   * Levels and messages, each pair once for a stretch of lines that have it (a call site's),
   * with the index of the stretch's first line; the stretch of the line taken last.
   */
  private readonly levels: number[] = [];
  private readonly messages: (string | undefined)[] = objectList();
  private readonly firstLines: number[] = [];
  private readStretch = -1;
  /** Lines added and not yet written, their times, and the most bytes they can take. */
  private pending: string[] = objectList();
  private pendingTimes: number[] = doubleList();
  private pendingBytes = 0;
  /** Lines with a lone surrogate, kept as they are (UTF-8 would not bring them back), by index. */
  private strings: Map<number, string> | undefined;
  added = 0;
  private written = 0;
  taken = 0;
  /** Level, time and message of the line take() returned last. */
  takenLevel = 0;
  takenTime = 0;
  takenMsg: string | undefined;

  /** Has the run no room for another line? (add() may refuse a long line sooner.) */
  get full(): boolean {
    return this.used + this.pendingBytes + MAX_HEADER_BYTES > RUN_BYTES;
  }

  get done(): boolean {
    return this.taken === this.added;
  }

  /** Adds a line (of at most MAX_RUN_LINE_CHARS characters); false, and nothing added, when the run has no room. */
  add(line: string, level: number, time: number, msg: string | undefined, scratch: LineScratch): boolean {
    const most = line.length * 3 + MAX_HEADER_BYTES;
    if (this.used + this.pendingBytes + most > RUN_BYTES) {
      this.write(scratch);
      if (this.used + most > RUN_BYTES) return false;
    }
    const n = this.added++;
    const kinds = this.levels.length;
    if (kinds === 0 || this.levels[kinds - 1] !== level || this.messages[kinds - 1] !== msg) {
      this.levels.push(level);
      this.messages.push(msg);
      this.firstLines.push(n);
    }
    this.pending.push(line);
    this.pendingTimes.push(time);
    this.pendingBytes += most;
    if (this.pending.length === GROUP_LINES) this.write(scratch);
    return true;
  }

  /** Writes the pending lines, each as what it adds to the one before (the last written is in `scratch`). */
  write(scratch: LineScratch): void {
    const lines = this.pending;
    if (lines.length === 0) return;
    const times = this.pendingTimes;
    this.pending = objectList();
    this.pendingTimes = doubleList();
    this.pendingBytes = 0;
    // The first line of a run is whole: a run is read from its start.
    const from = this.written === 0 ? 0 : scratch.lastLength;
    const joined = lines.length === 1 ? lines[0]! : lines.join('');
    scratch.fit(from + joined.length * 3);
    const bytes = scratch.bytes;
    const length = (bytes as Buffer & Utf8Buffer).utf8Write(joined, from);
    // All ASCII: each line's bytes are its characters. Otherwise each line is written again on its own.
    const ascii = length === joined.length;
    let start = from;
    let lastStart = 0;
    for (let k = 0; k < lines.length; k++) {
      const line = lines[k]!;
      if (!ascii && !(line as string & WellFormed).isWellFormed()) {
        this.keepString(line, times[k]!);
        start = 0;
        lastStart = 0;
        continue;
      }
      const end = start + (ascii ? line.length : (bytes as Buffer & Utf8Buffer).utf8Write(line, start));
      const head = start === 0 ? 0 : sharedHead(scratch.view, bytes, lastStart, start, end);
      const most = Math.min(start - lastStart, end - start) - head;
      const tail = start === 0 ? 0 : sharedTail(scratch.view, bytes, start, end, most);
      const own = end - start - head - tail;
      this.putVarint(own * 2);
      this.putTime(times[k]!);
      this.putVarint(head);
      this.putVarint(tail);
      copyBytes(bytes, start + head, end - tail, this.bytes, this.used);
      this.used += own;
      this.written++;
      lastStart = start;
      start = end;
    }
    // The last line goes first, for the next group to compare with.
    bytes.copyWithin(0, lastStart, start);
    scratch.lastLength = start - lastStart;
  }

  /**
   * The next line taken out, made again from the one taken before it (in `scratch`); lines
   * not yet written are written first (with `writing`, the scratch they are added with).
   */
  take(scratch: LineScratch, writing: LineScratch): string {
    const n = this.taken++;
    if (n === this.written) this.write(writing);
    if (this.readStretch + 1 < this.firstLines.length && this.firstLines[this.readStretch + 1] === n) {
      this.readStretch++;
      this.takenLevel = this.levels[this.readStretch]!;
      this.takenMsg = this.messages[this.readStretch];
    }
    const sized = this.varint();
    this.takenTime = this.time();
    if ((sized & 1) === 1) {
      scratch.lastLength = 0;
      return this.strings!.get(n)!;
    }
    const own = sized / 2;
    const head = this.varint();
    const tail = this.varint();
    const length = head + own + tail;
    // The line before stays in place: its head is this line's, its tail moves behind this line's own bytes.
    scratch.fit(length);
    const bytes = scratch.bytes;
    if (tail > 0) bytes.copyWithin(length - tail, scratch.lastLength - tail, scratch.lastLength);
    copyBytes(this.bytes, this.readAt, this.readAt + own, bytes, head);
    this.readAt += own;
    scratch.lastLength = length;
    return (bytes as Buffer & Utf8Buffer).utf8Slice(0, length);
  }

  /** Its block, for another run: every line is taken. */
  letGo(): void {
    if (spareBlocks.length < MAX_SPARE_BLOCKS) spareBlocks.push(this.block);
  }

  /** A line kept as its string: it adds no bytes, and the line after it is whole. */
  private keepString(line: string, time: number): void {
    this.strings ??= new Map();
    this.strings.set(this.written++, line);
    this.putVarint(1);
    this.putTime(time);
  }

  /** `value` (a whole number from 0 to 2^31) in seven-bit groups, the last without the high bit. */
  private putVarint(value: number): void {
    const bytes = this.bytes;
    while (value >= 0x80) {
      bytes[this.used++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    bytes[this.used++] = value;
  }

  private varint(): number {
    const bytes = this.bytes;
    let value = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = bytes[this.readAt++]!;
      value |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte >= 0x80);
    return value >>> 0;
  }

  /**
   * A time as its difference from the time before, zigzagged and doubled (a varint of one
   * byte for records logged within the same 32 ms), when that gives it back exactly; else
   * `WHOLE_TIME` and the double (the first line's, a fraction, -0, NaN, a jump of days).
   */
  private putTime(time: number): void {
    const step = time - this.lastTime;
    if (
      Number.isInteger(step) &&
      Math.abs(step) < MAX_TIME_STEP &&
      this.lastTime + step === time &&
      !Object.is(time, -0)
    ) {
      this.putVarint((step < 0 ? -step * 2 - 1 : step * 2) * 2);
    } else {
      this.bytes[this.used++] = WHOLE_TIME;
      this.view.setFloat64(this.used, time);
      this.used += 8;
    }
    this.lastTime = time;
  }

  private time(): number {
    if (this.bytes[this.readAt] === WHOLE_TIME) {
      this.readTime = this.view.getFloat64(this.readAt + 1);
      this.readAt += 9;
      return this.readTime;
    }
    const zigzag = this.varint() / 2;
    this.readTime += zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
    return this.readTime;
  }
}

/** ES2024's String method, which Node 20 has (not in the ES2022 typings this project builds with). */
interface WellFormed {
  isWellFormed(): boolean;
}
