import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeFully } from '../io/write-fully.js';
import type { LogRecord } from '../record/log-record.js';
import { quote } from '../record/serialize.js';

export interface DeadLetterReason {
  target: string;
  error: Error;
}

const MAX_BUFFER = 64 * 1024;

/**
 * Where records that could not be delivered go, one NDJSON line each:
 * `{"time":<when>,"reasons":[{"target":"file#0","error":"ENOSPC…"}],"record":{…the JSON line…}}`.
 * Lines gather per tick and are written with one blocking write, so exit loses none.
 */
export class DeadLetterFile {
  readonly path: string;
  private fd: number | undefined;
  private buffer = '';
  private scheduled = false;
  written = 0;
  lastError: Error | undefined;

  constructor(path: string) {
    this.path = resolve(path);
  }

  write(record: LogRecord, reasons: readonly DeadLetterReason[], now = Date.now()): void {
    const why = reasons.map((r) => `{"target":${quote(r.target)},"error":${quote(r.error.message)}}`).join(',');
    this.buffer += `{"time":${now},"reasons":[${why}],"record":${record.json().slice(0, -1)}}\n`;
    this.written++;
    if (this.buffer.length >= MAX_BUFFER) {
      this.flushSync();
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.onTick);
    }
  }

  /** Writes what is buffered now; returns the error if the file cannot be written. */
  flushSync(): Error | undefined {
    if (this.buffer.length === 0) return undefined;
    const chunk = this.buffer;
    this.buffer = '';
    try {
      if (this.fd === undefined) {
        mkdirSync(dirname(this.path), { recursive: true });
        this.fd = openSync(this.path, 'a', 0o640);
      }
      writeFully(this.fd, chunk);
      return undefined;
    } catch (error) {
      this.lastError = error as Error;
      return this.lastError;
    }
  }

  close(): void {
    this.flushSync();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private readonly onTick = (): void => {
    this.scheduled = false;
    this.flushSync();
  };
}
