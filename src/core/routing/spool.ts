import { closeSync, existsSync, fstatSync, ftruncateSync, readSync, unlinkSync } from 'node:fs';
import { openForAppend } from '../io/open-append.js';
import { writeFully } from '../io/write-fully.js';

const READ_CHUNK = 64 * 1024;

/**
 * A target's overflow on disk: NDJSON lines appended while the target cannot keep up and
 * read back, oldest first, as it catches up. Memory stays bounded whatever the target
 * does; lines left at exit are replayed by the next process that opens the same spool.
 */
export class Spool {
  private fd: number | undefined;
  private readOffset = 0;
  private size = 0;
  /** Lines in the spool not yet read back. */
  count = 0;
  /** Lines ever written. */
  written = 0;

  constructor(readonly path: string) {
    if (existsSync(path)) {
      this.open();
      this.size = fstatSync(this.fd!).size;
      this.count = this.countLines();
    }
  }

  get empty(): boolean {
    return this.count === 0;
  }

  append(line: string): void {
    this.open();
    this.size += writeFully(this.fd!, line);
    this.count++;
    this.written++;
  }

  /** Up to `maxLines` of the oldest lines; the file empties itself once everything is read. */
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
    if (this.readOffset >= this.size) this.reset();
    return lines;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    if (this.count === 0 && existsSync(this.path)) unlinkSync(this.path);
  }

  private reset(): void {
    ftruncateSync(this.fd!, 0);
    this.readOffset = 0;
    this.size = 0;
    this.count = 0;
  }

  private open(): void {
    if (this.fd !== undefined) return;
    this.fd = openForAppend(this.path, 0o640, { read: true });
  }

  private countLines(): number {
    let lines = 0;
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    for (let offset = 0; offset < this.size; ) {
      const n = readSync(this.fd!, buffer, 0, READ_CHUNK, offset);
      if (n === 0) break;
      for (let i = 0; i < n; i++) if (buffer[i] === 10) lines++;
      offset += n;
    }
    return lines;
  }
}
