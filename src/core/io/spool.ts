import {
  closeSync,
  existsSync,
  fstatSync,
  ftruncateSync,
  readFileSync,
  readSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { ensureFolder, openForAppend } from './open-append.js';
import { type PidLock, tryLock } from './pid-lock.js';
import { tryWriteFully } from './write-fully.js';

const READ_CHUNK = 64 * 1024;
/** Spool files one target may have before a logger gives up finding a free one. */
const MAX_CANDIDATES = 64;

/**
 * A target's overflow on disk: NDJSON lines appended while the target cannot keep up and
 * read back, oldest first, as it catches up. Memory stays bounded whatever the target does.
 *
 * One owner: a spool file belongs to the logger holding its lock (`<file>.lock`, naming the
 * owner's pid), so two loggers never read each other's records; a file whose owner died is
 * adopted, and its lines replayed, by the next logger with the same target. Reading and
 * committing are apart: lines read are handed on, and only once the target has settled
 * them is the position committed to `<file>.offset` (and the file emptied when all is
 * committed). After a crash the lines read but not committed are replayed again: at least
 * once, with duplicates bounded by what the target held (its window).
 */
export class Spool {
  private fd: number | undefined;
  private readOffset = 0;
  /** Everything before this offset has been settled by the target. */
  private committed = 0;
  private size = 0;
  private readonly offsetPath: string;
  /** Lines in the spool not yet read back. */
  count = 0;
  /** Lines ever written. */
  written = 0;

  constructor(
    readonly path: string,
    private readonly lock?: PidLock,
    /** Why no spool file could be had: every append fails with it (and the record is counted). */
    private readonly unavailable?: Error,
  ) {
    this.offsetPath = `${path}.offset`;
    if (unavailable === undefined && existsSync(path)) {
      this.open();
      this.size = fstatSync(this.fd!).size;
      this.readOffset = this.savedOffset();
      this.committed = this.readOffset;
      this.count = this.countLines(this.readOffset);
    }
  }

  /**
   * The spool of target `id` in `dir` for this logger: `<id>.ndjson`, or `<id>.2.ndjson`, …
   * when a live logger holds that one. A file left by a dead owner is adopted.
   */
  static claim(dir: string, id: string): Spool {
    const name = id.replace(/[^\w.-]/g, '_');
    const first = join(dir, `${name}.ndjson`);
    try {
      ensureFolder(dir);
      for (let n = 1; n <= MAX_CANDIDATES; n++) {
        const path = n === 1 ? first : join(dir, `${name}.${n}.ndjson`);
        const lock = tryLock(`${path}.lock`);
        if (lock) return new Spool(path, lock);
      }
      return new Spool(first, undefined, new Error(`no free spool file for ${id} in ${dir}`));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      return new Spool(first, undefined, new Error(`cannot use spool folder ${dir}: ${code}`, { cause: error }));
    }
  }

  get empty(): boolean {
    return this.count === 0;
  }

  /** Where the next read starts: the offset to commit once the lines read so far are settled. */
  get position(): number {
    return this.readOffset;
  }

  /** Appends one line; throws when it cannot (the caller counts the record as failed). */
  append(line: string): void {
    if (this.unavailable) throw this.unavailable;
    this.open();
    const outcome = tryWriteFully(this.fd!, line);
    if (outcome.error) {
      // A torn line would be read back as garbage, or glued to the next: cut it off.
      if (outcome.bytes > 0) ftruncateSync(this.fd!, this.size);
      throw outcome.error;
    }
    this.size += outcome.bytes;
    this.count++;
    this.written++;
  }

  /** Up to `maxLines` of the oldest lines not yet read. */
  read(maxLines: number): string[] {
    const lines: string[] = [];
    if (this.fd === undefined) return lines;
    let chunkSize = READ_CHUNK;
    while (lines.length < maxLines && this.readOffset < this.size) {
      const length = Math.min(chunkSize, this.size - this.readOffset);
      const buffer = Buffer.allocUnsafe(length);
      const n = readSync(this.fd, buffer, 0, length, this.readOffset);
      if (n === 0) break;
      const lastNewline = buffer.lastIndexOf(10, n - 1);
      if (lastNewline === -1) {
        if (n < chunkSize) break; // a torn last line from a crash mid-write: leave it
        chunkSize *= 2; // a line longer than the chunk
        continue;
      }
      let start = 0;
      while (start <= lastNewline && lines.length < maxLines) {
        const end = buffer.indexOf(10, start);
        lines.push(buffer.toString('utf8', start, end + 1));
        start = end + 1;
      }
      this.readOffset += start;
    }
    this.count -= lines.length;
    return lines;
  }

  /**
   * Keeps the spool under `maxBytes` with `bytes` more to come: drops the oldest lines not
   * yet read and returns them (the caller counts them). Lines read and not yet settled are
   * never dropped. `nothingInFlight`: no read is outstanding, so the drop is committed too.
   */
  makeRoom(bytes: number, maxBytes: number, nothingInFlight: boolean): string[] {
    const dropped: string[] = [];
    while (this.size - this.committed + bytes > maxBytes && this.readOffset < this.size) {
      const lines = this.read(64);
      if (lines.length === 0) break;
      dropped.push(...lines);
    }
    if (dropped.length > 0 && nothingInFlight) this.commit(this.readOffset);
    return dropped;
  }

  /** The lines before `offset` are settled: remember it, and empty the file once all is. */
  commit(offset: number): void {
    if (this.fd === undefined || offset <= this.committed) return;
    this.committed = offset;
    if (this.committed >= this.size && this.readOffset >= this.size) this.reset();
    else this.saveOffset();
  }

  /** Keeps unread lines (and where reading stopped) for the next owner; releases the lock. */
  close(): void {
    const settled = this.committed >= this.size;
    if (this.fd !== undefined) {
      if (!settled) this.saveOffset();
      closeSync(this.fd);
    }
    this.fd = undefined;
    if (settled) {
      removeQuietly(this.path);
      removeQuietly(this.offsetPath);
    }
    this.lock?.release();
  }

  private reset(): void {
    ftruncateSync(this.fd!, 0);
    this.readOffset = 0;
    this.committed = 0;
    this.size = 0;
    this.count = 0;
    removeQuietly(this.offsetPath);
  }

  private open(): void {
    if (this.fd !== undefined) return;
    this.fd = openForAppend(this.path, 0o640, { read: true });
  }

  private saveOffset(): void {
    if (this.committed === 0) return;
    try {
      writeFileSync(this.offsetPath, String(this.committed), { mode: 0o640 });
    } catch {
      // Without it a restart replays from the start: more duplicates, nothing lost.
    }
  }

  /** The saved read position, if it is sound: within the file and just after a newline. */
  private savedOffset(): number {
    let offset: number;
    try {
      offset = Number(readFileSync(this.offsetPath, 'utf8'));
    } catch {
      return 0;
    }
    if (!Number.isInteger(offset) || offset <= 0 || offset > this.size) return 0;
    const before = Buffer.alloc(1);
    readSync(this.fd!, before, 0, 1, offset - 1);
    return before[0] === 10 ? offset : 0;
  }

  private countLines(from: number): number {
    let lines = 0;
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    for (let offset = from; offset < this.size; ) {
      const n = readSync(this.fd!, buffer, 0, READ_CHUNK, offset);
      if (n === 0) break;
      for (let i = 0; i < n; i++) if (buffer[i] === 10) lines++;
      offset += n;
    }
    return lines;
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Not there: nothing to remove.
  }
}
