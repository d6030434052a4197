import { Writable } from 'node:stream';
import { parseSize } from '../plugin/units.js';
import type { RecordScope } from '../record/log-record.js';
import type { Redactor } from '../record/redact.js';
import { type ExitParticipant, registerForExit, unregisterForExit } from './exit-hooks.js';
import type { HeldInput, LoggerTree } from './logger-tree.js';
import { NdjsonLines } from './ndjson-lines.js';

/** Arrays in arrays of a bare value censored this deep; a value deeper is censored whole. */
const MAX_BARE_DEPTH = 32;

export interface ProducerStreamOptions {
  /** `ndjson`: bytes holding one JSON record per line; `object`: record objects. */
  format?: 'ndjson' | 'object' | undefined;
  /** Objects buffered before write() returns false (object mode) or bytes (ndjson). */
  highWaterMark?: number | undefined;
  /**
   * Longest NDJSON line kept, in bytes or as a size (`"64KB"`; default 1 MiB); the rest of a
   * longer one is cut off. Anything but a size of at least one byte is a RangeError.
   */
  maxLineBytes?: number | string | undefined;
  /**
   * Records keep the producer's own base fields (`pid`, `hostname`, `name`, bindings): this
   * logger's base and bindings are not added, so a shipped line says where it was logged
   * (without it, the producer's `pid` is kept as `@pid` beside the shipper's). For shippers.
   */
  keepOrigin?: boolean | undefined;
}

const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;
const OPEN_BRACE = 0x7b;
const CR = 0x0d;
const ASCII_BLANK = /^[ \t\r\v\f]*$/;

/**
 * The producer side: a Writable that turns incoming records into log records and waits
 * (holds its write callback) while any `block` target is full, so `pipeline(source,
 * log.stream())` moves at the pace of the slowest blocking destination.
 */
export class ProducerStream extends Writable implements HeldInput {
  private readonly lines: NdjsonLines;
  private readonly scope: RecordScope;
  /** The logger's redaction, which keepOrigin's scope (the producer's own head) does not carry. */
  private readonly redactor: Redactor | undefined;
  /** The write (or end) held back while a block target is full: calling it lets the stream go on. */
  private waiting: (() => void) | undefined;
  /** Ends the tree's hold on this stream (it no longer asks at exit). */
  private readonly release: () => void;
  /**
   * Chunks takeHeld made records of while they still waited in the writer's buffer: Node
   * hands them to _write all the same once the target unblocks (the exit writes its queue
   * through), and they must not be made records twice.
   */
  private taken = 0;
  /**
   * A line begun when the logger closed: its rest may still come (then the line is dropped
   * after close, counted); should the process end first, it is counted then, here, as the
   * closed logger no longer asks at exit. Holds the stream weakly, as the tree does.
   */
  private afterClose: ExitParticipant | undefined;

  constructor(
    private readonly tree: LoggerTree,
    scope: RecordScope,
    options: ProducerStreamOptions = {},
  ) {
    const objectMode = streamFormat(options.format) === 'object';
    super({ objectMode, decodeStrings: !objectMode, highWaterMark: options.highWaterMark });
    this.scope = options.keepOrigin ? tree.revivedScope : scope;
    this.redactor = scope.redactor;
    this.lines = new NdjsonLines(lineBound(options.maxLineBytes));
    const release = tree.holdInput(this);
    this.release = () => {
      release();
      if (this.afterClose !== undefined) unregisterForExit(this.afterClose);
      this.afterClose = undefined;
    };
    this.once('close', this.release);
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.taken > 0) {
      this.taken--;
      callback();
      return;
    }
    if (this.writableObjectMode) this.ingest(chunk);
    else this.lines.push(chunk as Buffer, this.onLine);
    this.whenRoom(callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.lines.end(this.onLine);
    this.whenRoom(callback);
  }

  /**
   * Destroyed (a pipeline whose source failed, a producer that gave up): a line begun is
   * logged as it came, as at the end: its bytes were taken (their writes called back) and
   * must not vanish. Chunks still waiting to be written are discarded, as by any Writable.
   */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    try {
      if (!this.writableObjectMode) this.lines.end(this.onLine);
    } finally {
      this.release();
      callback(error);
    }
  }

  /**
   * The process exits: the chunks a blocked target held back (accepted by write(), not yet
   * taken) and a line without its newline are made records now, so the exit path writes,
   * parks or fails them with the rest.
   */
  takeHeld(): void {
    const waiting = (this as { writableBuffer?: ({ chunk: unknown } | null)[] }).writableBuffer ?? [];
    // The first `taken` were made records by an earlier call (the logger's exit path, and the
    // stream's own after a close not yet finished): Node has not handed them over yet.
    let before = this.taken;
    for (const entry of waiting) {
      // Null: an entry Node is writing (or wrote) in this same turn, its slot cleared.
      if (entry === null) continue;
      if (before > 0) {
        before--;
        continue;
      }
      this.taken++;
      if (this.writableObjectMode) this.ingest(entry.chunk);
      else this.lines.push(entry.chunk as Buffer, this.onLine);
    }
    if (!this.writableObjectMode) this.lines.end(this.onLine);
  }

  private readonly onLine = (text: string, truncated: boolean): void => {
    if (!truncated && text.charCodeAt(0) === OPEN_BRACE) {
      // The usual line parses as it is (JSON.parse skips spaces, tabs and CRs itself); only a
      // failure pays for trimming and trying again.
      let value: unknown;
      let parsedAsIs = true;
      try {
        value = JSON.parse(text);
      } catch {
        parsedAsIs = false;
      }
      if (parsedAsIs) {
        this.ingestParsed(value);
        return;
      }
    }
    // A blank line (an empty one, a CRLF's lone CR) is skipped before any parse: a parse
    // that fails throws, and an exception costs microseconds, so a flood of blank lines
    // would cost more than as many records.
    const trimmed = text.trim();
    if (trimmed.length === 0) {
      // Blank as the CLI's line count has it (spaces, tabs, CR, VT, FF); a line of other
      // spaces (NBSP, a lone BOM) is kept as text, so what was read and what was logged agree.
      // A cut-off line is never blank: what was cut off held something (a cut-off end of
      // blanks alone does not count as cut, see NdjsonLines).
      if (!truncated && (text.length === 0 || ASCII_BLANK.test(text))) return;
    } else if (
      !truncated &&
      (trimmed.length !== text.length || text.charCodeAt(0) !== OPEN_BRACE) &&
      mayStartJson(trimmed.charCodeAt(0))
    ) {
      let value: unknown;
      let parsed = true;
      try {
        value = JSON.parse(trimmed);
      } catch {
        parsed = false;
      }
      if (parsed) {
        this.ingestParsed(value);
        return;
      }
    }
    // A CRLF line's CR ends the line, as its LF does: not part of the message.
    const body = !truncated && text.charCodeAt(text.length - 1) === CR ? text.slice(0, -1) : text;
    // The text may be a slice of the whole chunk's: a copy of its own keeps the chunk from
    // living as long as the record.
    // Not JSON, so no path reaches into it: the values after the keys the paths name are censored.
    const msg = this.redactor === undefined ? flatCopy(body) : this.redactor.redactText(flatCopy(body));
    this.ingest(truncated ? { msg, invalidJson: true, truncated: true } : { msg, invalidJson: true });
  };

  /** A value from JSON.parse: an object is a plain tree, taken apart without the generic copy. */
  private ingestParsed(value: unknown): void {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      this.tree.ingestParsed(value as Record<string, unknown>, this.scope, this.redactor);
      return;
    }
    this.ingest(value);
  }

  private ingest(value: unknown): void {
    if (typeof value === 'object' && value !== null && !isArray(value)) {
      this.tree.ingest(value as Record<string, unknown>, this.scope, this.redactor);
      return;
    }
    // A bare JSON value: a scalar is the message, anything else is kept as a field.
    const scalar = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
    const bare = this.redactor === undefined ? value : this.censorBare(value, this.redactor);
    this.tree.ingest(scalar ? { [this.tree.shape.messageKey]: bare } : { value: bare }, this.scope, this.redactor);
  }

  /**
   * A bare value is no record, so no path reaches it as it reaches a record's fields: a text
   * is censored as a line that is not JSON is, by the keys the paths end with (`"login failed
   * password=…"` as a JSON string), and in an array each text so, each object by the paths
   * as a record's fields are.
   */
  private censorBare(value: unknown, redactor: Redactor, depth = 0): unknown {
    if (typeof value === 'string') return redactor.redactText(value);
    if (typeof value !== 'object' || value === null) return value;
    // Deeper than a line's arrays go in practice: nothing in it is looked at, so nothing is let out.
    if (depth >= MAX_BARE_DEPTH) return '[nested too deep to redact]';
    if (isArray(value)) return value.map((item) => this.censorBare(item, redactor, depth + 1));
    return redactor(value);
  }

  private whenRoom(callback: (error?: Error | null) => void): void {
    const router = this.tree.router;
    // Closed, the logger takes nothing more (each line is counted as dropped after close):
    // nothing to wait for, and a target given up on at close may never unblock.
    if (!router.blocked || this.tree.closed) {
      callback();
      return;
    }
    const resume = (): void => {
      if (this.waiting !== resume) return;
      this.waiting = undefined;
      router.off('unblocked', resume);
      callback();
    };
    this.waiting = resume;
    router.once('unblocked', resume);
  }

  /** The logger is closing: a write held back for a blocked target goes on (what follows is dropped after close). */
  loggerClosing(): void {
    this.waiting?.();
    if (this.afterClose !== undefined || this.destroyed || this.writableObjectMode || !this.lines.begun) return;
    const stream = new WeakRef(this);
    const nothing = (): void => {};
    this.afterClose = {
      flushSync: nothing,
      beforeExit: nothing,
      exitSync: () => stream.deref()?.takeHeld(),
      handleExceptions: false,
      handleSignals: false,
    };
    registerForExit(this.afterClose);
  }
}

/**
 * Array.isArray, false for a revoked Proxy (it throws): such an object goes to the logger,
 * which logs what could not be read. Thrown out of write(), it wedged the stream: the write
 * never called back, and every later write waited for ever, lost uncounted.
 */
function isArray(value: object): value is unknown[] {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * Whether a JSON text can start with this character: `{ [ "`, a digit, `-`, or the `t f n`
 * of true, false and null. A plain text line (a program that does not log JSON) mostly
 * cannot, and is kept as text without a parse that would throw (an exception per line made
 * such lines cost five times a JSON record).
 */
function mayStartJson(code: number): boolean {
  return (
    code === OPEN_BRACE ||
    code === 0x5b ||
    code === 0x22 ||
    code === 0x2d ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x74 ||
    code === 0x66 ||
    code === 0x6e
  );
}

/** The format, checked: a misspelt one ("objects") made an NDJSON stream, and each object written then threw. */
function streamFormat(given: unknown): 'ndjson' | 'object' {
  if (given === undefined || given === 'ndjson' || given === 'object') return given ?? 'ndjson';
  const shown =
    typeof given === 'string'
      ? JSON.stringify(given)
      : given !== null && typeof given === 'object'
        ? 'an object'
        : String(given);
  throw new RangeError(`log.stream(): format must be "ndjson" or "object" (got ${shown})`);
}

/**
 * The line bound, checked: a bound of 0 made every line an empty cut-off one (skipped as
 * blank), and NaN, Infinity or "64KB" taken as a number bounded nothing at all.
 */
function lineBound(given: unknown): number {
  if (given === undefined) return DEFAULT_MAX_LINE_BYTES;
  const bytes = typeof given === 'number' || typeof given === 'string' ? parseSize(given) : undefined;
  if (bytes === undefined || !Number.isSafeInteger(bytes) || bytes < 1) {
    const shown = typeof given === 'string' ? JSON.stringify(given) : String(given);
    throw new RangeError(
      `log.stream(): maxLineBytes must be a whole number of bytes of at least 1 or a size like "64KB" (got ${shown})`,
    );
  }
  return bytes;
}

/** A string that shares no memory with the one it was sliced from. */
function flatCopy(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}
