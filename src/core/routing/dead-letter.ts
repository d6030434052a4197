import { fstatSync, ftruncateSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineBatch } from '../io/line-batch.js';
import { closeAppended, openForAppend } from '../io/open-append.js';
import type { SettlementListener } from '../io/settlement.js';
import { isPipe, tryWriteFully } from '../io/write-fully.js';
import { type LogRecord, withoutEnd } from '../record/log-record.js';
import { quote } from '../record/serialize.js';
import type { DeadLetterReason } from './events.js';

const MAX_BUFFER = 64 * 1024;
const NEWLINE = Buffer.from('\n');

/**
 * Where records that could not be delivered go, one NDJSON line each:
 * `{"time":<when>,"reasons":[{"target":"file#0","error":"ENOSPC…"}],"record":{…the JSON line…}}`.
 * Lines gather per tick and are written with one blocking write, so exit loses none. Only
 * lines that reach the file count as dead-lettered; the listener hears the rest as failed.
 */
export class DeadLetterFile {
  readonly path: string;
  private fd: number | undefined;
  /** The path is a pipe, FIFO or socket others may write too: written in pieces they cannot split (see isPipe). */
  private pipe = false;
  /**
   * A pipe took part of a line before its reader stopped: a pipe cannot be truncated, so the
   * fragment is ended with a newline before the next write rather than glued to the next line.
   */
  private torn = false;
  private readonly batch: LineBatch<LogRecord>;
  private settle: SettlementListener<LogRecord> | undefined;

  constructor(path: string) {
    this.path = resolve(path);
    this.batch = new LineBatch((lines, records, chunk) => {
      this.writeOut(lines, chunk, records);
      return true;
    }, MAX_BUFFER);
  }

  /** Who hears which lines reached the file (the failure reporter counts them). */
  listen(settle: SettlementListener<LogRecord>): void {
    this.settle = settle;
  }

  write(record: LogRecord, reasons: readonly DeadLetterReason[], now = Date.now()): void {
    const why = reasons.map((r) => `{"target":${quote(r.target)},"error":${quote(r.error.message)}}`).join(',');
    // Ends as the record's line ends ("\r\n" with crlf), with the record's line whole inside.
    const line = record.json();
    const body = withoutEnd(line);
    this.batch.push(`{"time":${now},"reasons":[${why}],"record":${body}}${line.slice(body.length) || '\n'}`, record);
  }

  /**
   * write(), and the line written at once with what waits before it: whether it reached the
   * file (a transport that settles a record as taken once it is here must know).
   */
  writeNow(record: LogRecord, reasons: readonly DeadLetterReason[]): boolean {
    this.unwritten = undefined;
    this.write(record, reasons);
    this.batch.flush();
    const unwritten = this.unwritten as Set<LogRecord> | undefined;
    this.unwritten = undefined;
    return unwritten?.has(record) !== true;
  }

  /** The records of the last write that did not reach the file (for writeNow). */
  private unwritten: Set<LogRecord> | undefined;

  /** Writes what is buffered now. */
  flushSync(): void {
    this.batch.flush();
  }

  close(): void {
    this.closed = true;
    this.flushSync();
    this.closeFd();
  }

  private closeFd(): void {
    try {
      if (this.fd !== undefined) closeAppended(this.fd);
    } catch {
      // Already unusable: nothing to release, and the lines waiting must still be settled.
    }
    this.fd = undefined;
  }

  /**
   * Closed, but a transport that close() gave up on may still fail records: they are
   * written all the same, each batch opening and closing the file, so no descriptor leaks.
   */
  private closed = false;

  private writeOut(lines: string[], chunk: Buffer, records: LogRecord[]): void {
    let error: Error | undefined;
    let complete = 0;
    this.followPath();
    try {
      if (this.fd === undefined) {
        this.fd = openForAppend(this.path, 0o640);
        this.pipe = isPipe(this.fd);
        if (!this.pipe) this.torn = false;
      }
    } catch (openError) {
      error = openError as Error;
    }
    if (error === undefined && this.torn) {
      error = tryWriteFully(this.fd!, NEWLINE).error;
      if (error === undefined) this.torn = false;
    }
    if (error === undefined) {
      const outcome = tryWriteFully(this.fd!, chunk, this.pipe);
      error = outcome.error;
      // A write cut short (a full disk, a file size limit): the lines wholly written are
      // dead-lettered; a line written in part is cut off, so the file holds whole lines only.
      if (error !== undefined) complete = this.keepWholeLines(lines, outcome.bytes);
    }
    if (this.closed) this.closeFd();
    if (complete > 0) this.settle?.delivered(complete);
    if (error) {
      this.unwritten = new Set(records.slice(complete));
      this.settle?.failed(records.slice(complete), error);
    } else this.settle?.delivered(records.length);
  }

  /**
   * The file was removed (its folder with it) or moved away since it was opened: lines
   * written to it would count as dead-lettered where nobody will find them, so the path is
   * opened again. Looked at once per batch of dead letters, not per record.
   */
  private followPath(): void {
    if (this.fd === undefined) return;
    let same = false;
    try {
      const open = fstatSync(this.fd);
      const current = statSync(this.path);
      same = open.ino === current.ino && open.dev === current.dev;
    } catch {
      // Nothing (or no folder) at the path any more: made again by the open below.
    }
    if (!same) this.closeFd();
  }

  /** How many of `lines` the first `written` bytes hold whole; the part of the next is cut off the file. */
  private keepWholeLines(lines: string[], written: number): number {
    let complete = 0;
    let bytes = 0;
    for (; complete < lines.length; complete++) {
      const next = bytes + Buffer.byteLength(lines[complete]!);
      if (next > written) break;
      bytes = next;
    }
    if (written > bytes && this.pipe) this.torn = true;
    else if (written > bytes) {
      try {
        ftruncateSync(this.fd!, Math.max(0, fstatSync(this.fd!).size - (written - bytes)));
      } catch {
        // The line stays torn; the failure is reported for its record all the same.
      }
    }
    return complete;
  }
}
