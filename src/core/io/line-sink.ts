import type { Writable } from 'node:stream';
import { Queue } from '../util/queue.js';
import { LineBatch } from './line-batch.js';
import { onStreamError } from './shared-listeners.js';
import type { SettlementListener } from './settlement.js';
import { isPipe, retrySoonOnFullDisk, tryWriteFully } from './write-fully.js';

export interface LineSinkOptions {
  /** Bytes buffered before a write is issued at once (default 64 KiB). */
  maxBuffer?: number;
  /** Close the stream when the sink closes (false for stdout/stderr). */
  ownsStream?: boolean;
  /**
   * Write straight to this descriptor with blocking writes instead of through the stream
   * (stdout/stderr: a Node pipe may queue writes that process.exit() then discards).
   */
  fd?: number;
}

/**
 * The descriptor behind process.stdout / process.stderr, which are written directly. It lives
 * here rather than in the console transport because any byte-stream adapter may be handed
 * process.stdout.
 */
export function stdioFd(stream: Writable): number | undefined {
  if (stream === process.stdout) return 1;
  if (stream === process.stderr) return 2;
  return undefined;
}

const DEFAULT_MAX_BUFFER = 64 * 1024;

/**
 * Does Node queue bytes for stdout or stderr (both: `2>&1` makes them one pipe)? The logger
 * writes their descriptors itself, so such bytes are another writer's, mid-line.
 */
function nodeQueuesStdio(): boolean {
  return process.stdout.writableLength > 0 || process.stderr.writableLength > 0;
}

const NEWLINE = Buffer.from('\n');

/** How many of `lines` (and their bytes) fit in full within the first `bytes` written. */
function linesWithin(lines: string[], bytes: number): { count: number; bytes: number } {
  let count = 0;
  let total = 0;
  for (const line of lines) {
    const next = total + Buffer.byteLength(line);
    if (next > bytes) break;
    total = next;
    count++;
  }
  return { count, bytes: total };
}

/** How long a stream that finished is given to emit 'close' after it is destroyed. */
const LATE_CLOSE_MS = 1000;

/**
 * Coalesces formatted lines for one byte stream into one write per tick (or per full
 * buffer). Each write's outcome settles exactly the items it carried, so delivery means
 * "the stream accepted and flushed it".
 */
export class LineSink<T> {
  private readonly batch: LineBatch<T>;
  private readonly inFlight = new Queue<T[]>();
  /** Set once the stream's own queue is given up on (the process is ending): it will never be written. */
  private givenUp: Error | undefined;
  private broken: Error | undefined;
  private readonly ownsStream: boolean;
  private readonly fd: number | undefined;
  /** `fd` is a pipe, which other threads and processes may write to as well (see isPipe). */
  private readonly pipe: boolean;
  /** Set on the exit path: write to the stream's descriptor directly when it has one. */
  private directFd: number | undefined;
  private readonly stopHearingErrors: () => void;
  /** A blocking write was cut short inside a line: the next write ends that fragment first. */
  private torn = false;
  bytesWritten = 0;
  writes = 0;

  constructor(
    readonly stream: Writable,
    private readonly settle: SettlementListener<T>,
    options: LineSinkOptions = {},
  ) {
    this.batch = new LineBatch(
      (lines, items, chunk) => this.write(chunk, items, lines),
      options.maxBuffer ?? DEFAULT_MAX_BUFFER,
    );
    this.ownsStream = options.ownsStream ?? false;
    this.fd = options.fd;
    this.pipe = this.fd !== undefined && isPipe(this.fd);
    // A byte stream that errors (EPIPE on a closed pipe) must not crash the process.
    this.stopHearingErrors = onStreamError(stream, this.onStreamError);
  }

  get empty(): boolean {
    return this.batch.empty;
  }

  push(line: string, item: T): void {
    if (this.broken) {
      this.settle.failed([item], this.broken);
      return;
    }
    this.batch.push(line, item);
  }

  /** Issues the buffered write now. */
  writeOut(): void {
    this.batch.flush();
  }

  /**
   * Exit path: writes the buffer with a blocking write when the stream has a file
   * descriptor and nothing of ours is still queued inside it (ordering would break), or
   * what is queued was given up on and will never be written.
   */
  flushSync(): void {
    if (this.batch.empty) return;
    const fd = this.fd ?? (this.stream as Writable & { fd?: unknown }).fd;
    const queued = this.stream.writableLength > 0 && this.givenUp === undefined;
    if (typeof fd === 'number' && !queued && !this.broken) this.directFd = fd;
    try {
      this.batch.flush();
    } finally {
      this.directFd = undefined;
    }
  }

  /** Returns true when the chunk was written with a blocking write (its memory may serve again). */
  private write(chunk: Buffer, items: T[], lines: string[]): boolean {
    const fd = this.fd ?? this.directFd;
    if (fd !== undefined) {
      this.writes++;
      // Node itself still queues bytes for a standard stream (the rest of a long console.log,
      // into a pipe that was full): what the pipe holds ends inside that line, so ours start on
      // a line of their own. The console line comes out in two; the records stay whole (they
      // were glued onto it, unreadable as JSON, and counted delivered).
      if ((fd === 1 || fd === 2) && fd === this.fd && nodeQueuesStdio()) this.torn = true;
      if (this.torn) {
        // A reader must not see the next line glued onto a fragment (one unparseable line for two).
        const ended = tryWriteFully(fd, NEWLINE);
        if (ended.error) {
          this.settle.failed(items, retrySoonOnFullDisk(ended.error));
          return true;
        }
        this.torn = false;
      }
      const outcome = tryWriteFully(fd, chunk, this.pipe && fd === this.fd);
      this.bytesWritten += outcome.bytes;
      if (outcome.error) {
        const whole = linesWithin(lines, outcome.bytes);
        this.torn = outcome.bytes > whole.bytes;
        // Lines written in full before the failure reached the reader: they are delivered, not failed.
        if (whole.count > 0) this.settle.delivered(whole.count);
        this.settle.failed(whole.count > 0 ? items.slice(whole.count) : items, retrySoonOnFullDisk(outcome.error));
      } else this.settle.delivered(items.length);
      return true;
    }
    // Given up on, the stream would only queue it behind writes that never happen.
    if (this.broken || this.givenUp || this.stream.destroyed) {
      this.settle.failed(items, this.broken ?? this.givenUp ?? new Error('stream destroyed'));
      return false;
    }
    this.inFlight.push(items);
    this.writing.add(chunk);
    this.writes++;
    this.bytesWritten += chunk.length;
    let thrown: Error | undefined;
    try {
      this.stream.write(chunk, (error) => this.onWritten(error, chunk));
    } catch (error) {
      thrown = error instanceof Error ? error : new Error(String(error));
    }
    if (thrown) this.onWritten(thrown, chunk);
    return false;
  }

  /**
   * Writes out what is gathered; ends the stream when it is ours and `end` (no one else still
   * writes to it). Resolves with the error the stream raised while it ended, if any.
   */
  async close(end = true): Promise<Error | undefined> {
    this.writeOut();
    this.stopHearingErrors();
    if (!this.ownsStream || !end) return undefined;
    const stream = this.stream;
    return new Promise<Error | undefined>((resolve) => {
      if (stream.closed || stream.destroyed) return resolve(undefined);
      // A stream that failed (one with autoDestroy off is left errored, not destroyed) never
      // emits 'finish' for end(), nor 'close': close() waited for ever. Its lines are settled.
      if (this.broken !== undefined || stream.errored) {
        stream.destroy();
        return resolve(undefined);
      }
      let failure: Error | undefined;
      let lateClose: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(lateClose);
        resolve(failure);
      };
      // Everything is written at 'finish'. A stream that does not close by itself then (a
      // socket whose peer keeps its half open, one made with autoDestroy off) waited for a
      // 'close' that never came: it is released, and one that emits no 'close' at all is
      // waited for no longer than a moment (a timer that holds the process: nothing else may).
      const finished = (): void => {
        if (!stream.destroyed) stream.destroy();
        lateClose ??= setTimeout(done, LATE_CLOSE_MS);
      };
      stream.once('close', done);
      stream.once('finish', finished);
      stream.once('error', (error: Error) => {
        failure ??= error;
        finished();
      });
      stream.end();
    });
  }

  /**
   * The transport is destroyed (a close that gave up, a logger that was never built): the
   * sink hears the stream no more, and destroys it when it is ours and `destroyStream` (no
   * one else still writes to it), so a stalled socket does not hold the process open.
   */
  abandon(destroyStream: boolean): void {
    this.stopHearingErrors();
    if (this.ownsStream && destroyStream && !this.stream.destroyed) this.stream.destroy();
  }

  /**
   * Nothing more will be written in time (the process is ending, or close() ran out of
   * time): the items of writes the stream has not confirmed fail with `reason`, so they are
   * counted and dead-lettered rather than lost with the stream's queue. Later lines (an
   * application's own exit listener logging) go to the descriptor directly, or fail.
   */
  giveUpSync(reason: Error): void {
    this.givenUp = reason;
    const stuck = this.inFlight.drain().flat();
    if (stuck.length > 0) this.settle.failed(stuck, reason);
  }

  /**
   * Chunks whose write threw inside the stream (see guardWrites): told done to the stream,
   * they fail here when their callback comes.
   */
  private readonly thrown = new Map<unknown, Error>();

  /** Chunks handed to the stream and not yet called back: a stream two loggers share throws for either's. */
  private readonly writing = new Set<unknown>();

  /** The stream's own write threw for these chunks: whether any of them was ours. */
  writeThrew(chunks: readonly unknown[], error: Error): boolean {
    let ours = false;
    for (const chunk of chunks) {
      if (!this.writing.has(chunk)) continue;
      this.thrown.set(chunk, error);
      ours = true;
    }
    return ours;
  }

  private onWritten(error: Error | null | undefined, chunk: Buffer): void {
    this.writing.delete(chunk);
    const threw = this.thrown.size > 0 ? this.thrown.get(chunk) : undefined;
    if (threw !== undefined) this.thrown.delete(chunk);
    // A callback of a write given up on finds nothing: its items were settled then.
    const items = this.inFlight.shift();
    if (items === undefined) return;
    const failure = error ?? threw;
    if (failure) this.settle.failed(items, failure);
    else this.settle.delivered(items.length);
  }

  private readonly onStreamError = (error: Error): void => {
    this.broken = error;
    const stuck = this.inFlight.drain().flat();
    if (stuck.length > 0) this.settle.failed(stuck, error);
  };
}
