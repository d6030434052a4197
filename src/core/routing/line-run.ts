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
 * Lines are taken in groups: joined and written as UTF-8 at once (one call, not one a line),
 * then compared four bytes at a time with the line before.
 */

/** Lines a run holds at most. */
const RUN_LINES = 4096;
/** Bytes of the lines' own parts a run holds at most. */
const RUN_BYTES = 128 * 1024;
/** Lines written at once. */
const GROUP_LINES = 64;
/** One block: each line's time (a double), its three parts (int32), then the bytes. */
const TIMES_BYTES = RUN_LINES * 8;
const PARTS_BYTES = RUN_LINES * 3 * 4;
const BLOCK_BYTES = TIMES_BYTES + PARTS_BYTES + RUN_BYTES;
/** The longest line a run takes, in characters (its UTF-8 is at most three bytes a character). */
export const MAX_RUN_LINE_CHARS = Math.floor(RUN_BYTES / 9);
/** A line's shared bytes when the line is kept as its string (see LineRun.strings). */
const AS_STRING = -1;
/** Head and tail are packed in one int32: a line is at most 3 · MAX_RUN_LINE_CHARS bytes, under 2^16. */
const TAIL_SHIFT = 16;
const HEAD_MASK = 0xffff;

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

export class LineRun {
  /** Not zeroed: a page is paid for when first written, and a run of few lines writes few. */
  private readonly block = spareBlocks.pop() ?? Buffer.allocUnsafeSlow(BLOCK_BYTES).buffer;
  private readonly times = new Float64Array(this.block, 0, RUN_LINES);
  /**
   * Per line: where its own bytes end in `bytes` (they start where the line before's end);
   * the bytes it shares with the start (head) and then with the end (tail) of the line
   * before, as head | tail << 16; and its level and message, as an index into `levels` and
   * `messages`.
   */
  private readonly parts = new Int32Array(this.block, TIMES_BYTES, RUN_LINES * 3);
  private readonly bytes = new Uint8Array(this.block, TIMES_BYTES + PARTS_BYTES, RUN_BYTES);
  /** Bytes written. */
  private used = 0;
  /** Levels and messages, each pair once for a stretch of lines that have it (a call site's). */
  private readonly levels: number[] = [];
  private readonly messages: (string | undefined)[] = [];
  /** Lines added and not yet written, and the most bytes they can take. */
  private pending: string[] = [];
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

  get full(): boolean {
    return this.added === RUN_LINES;
  }

  get done(): boolean {
    return this.taken === this.added;
  }

  /** Adds a line (of at most MAX_RUN_LINE_CHARS characters); false, and nothing added, when the run has no room. */
  add(line: string, level: number, time: number, msg: string | undefined, scratch: LineScratch): boolean {
    if (this.added === RUN_LINES) return false;
    if (this.used + this.pendingBytes + line.length * 3 > RUN_BYTES) {
      this.write(scratch);
      if (this.used + line.length * 3 > RUN_BYTES) return false;
    }
    const n = this.added++;
    this.times[n] = time;
    const kinds = this.levels.length;
    if (kinds === 0 || this.levels[kinds - 1] !== level || this.messages[kinds - 1] !== msg) {
      this.levels.push(level);
      this.messages.push(msg);
    }
    this.parts[n * 3 + 2] = this.levels.length - 1;
    this.pending.push(line);
    this.pendingBytes += line.length * 3;
    if (this.pending.length === GROUP_LINES) this.write(scratch);
    return true;
  }

  /** Writes the pending lines, each as what it adds to the one before (the last written is in `scratch`). */
  write(scratch: LineScratch): void {
    const lines = this.pending;
    if (lines.length === 0) return;
    this.pending = [];
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
    for (const line of lines) {
      if (!ascii && !(line as string & WellFormed).isWellFormed()) {
        this.keepString(line);
        start = 0;
        lastStart = 0;
        continue;
      }
      const end = start + (ascii ? line.length : (bytes as Buffer & Utf8Buffer).utf8Write(line, start));
      const head = start === 0 ? 0 : sharedHead(scratch.view, bytes, lastStart, start, end);
      const most = Math.min(start - lastStart, end - start) - head;
      const tail = start === 0 ? 0 : sharedTail(scratch.view, bytes, start, end, most);
      copyBytes(bytes, start + head, end - tail, this.bytes, this.used);
      this.used += end - start - head - tail;
      const n = this.written++;
      this.parts[n * 3] = this.used;
      this.parts[n * 3 + 1] = head | (tail << TAIL_SHIFT);
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
    const parts = this.parts;
    this.takenTime = this.times[n]!;
    const kind = parts[n * 3 + 2]!;
    this.takenLevel = this.levels[kind]!;
    this.takenMsg = this.messages[kind];
    const shared = parts[n * 3 + 1]!;
    if (shared === AS_STRING) {
      scratch.lastLength = 0;
      return this.strings!.get(n)!;
    }
    const start = n === 0 ? 0 : parts[n * 3 - 3]!;
    const end = parts[n * 3]!;
    const head = shared & HEAD_MASK;
    const tail = shared >>> TAIL_SHIFT;
    const length = head + (end - start) + tail;
    // The line before stays in place: its head is this line's, its tail moves behind this line's own bytes.
    scratch.fit(length);
    const bytes = scratch.bytes;
    if (tail > 0) bytes.copyWithin(length - tail, scratch.lastLength - tail, scratch.lastLength);
    copyBytes(this.bytes, start, end, bytes, head);
    scratch.lastLength = length;
    return (bytes as Buffer & Utf8Buffer).utf8Slice(0, length);
  }

  /** Its block, for another run: every line is taken. */
  letGo(): void {
    if (spareBlocks.length < MAX_SPARE_BLOCKS) spareBlocks.push(this.block);
  }

  /** A line kept as its string: it adds no bytes, and the line after it is whole. */
  private keepString(line: string): void {
    const n = this.written++;
    this.strings ??= new Map();
    this.strings.set(n, line);
    this.parts[n * 3] = this.used;
    this.parts[n * 3 + 1] = AS_STRING;
  }
}

/** ES2024's String method, which Node 20 has (not in the ES2022 typings this project builds with). */
interface WellFormed {
  isWellFormed(): boolean;
}
