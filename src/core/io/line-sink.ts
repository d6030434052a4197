import type { Writable } from 'node:stream';
import { Queue } from '../util/queue.js';
import type { LogRecord } from '../record/log-record.js';
import { toError } from '../plugin/transport.js';
import { writeFully } from './write-fully.js';

export interface LineSinkOptions {
  /** Bytes (UTF-16 units, a cheap proxy) buffered before a write is issued at once. */
  maxBuffer?: number;
  /** Close the stream when the sink closes (false for stdout/stderr). */
  ownsStream?: boolean;
  /**
   * Write straight to this descriptor with blocking writes instead of through the stream
   * (stdout/stderr: a Node pipe may queue writes that process.exit() then discards).
   */
  fd?: number;
}

/** The descriptor behind process.stdout / process.stderr, which we write to directly. */
export function stdioFd(stream: Writable): number | undefined {
  if (stream === process.stdout) return 1;
  if (stream === process.stderr) return 2;
  return undefined;
}

export interface LineSinkOutcome {
  delivered(count: number): void;
  failed(records: readonly LogRecord[], reason: Error): void;
}

const DEFAULT_MAX_BUFFER = 64 * 1024;

/**
 * Coalesces formatted lines for one byte stream: lines gather until the buffer is full or
 * the current tick ends, then go out in one write. Each write's callback settles exactly
 * the records it carried, so delivery means "the stream accepted and flushed it".
 */
export class LineSink {
  private buffer = '';
  private bufferedRecords: LogRecord[] = [];
  private readonly inFlight = new Queue<LogRecord[]>();
  private scheduled = false;
  private broken: Error | undefined;
  private readonly maxBuffer: number;
  private readonly ownsStream: boolean;
  private readonly fd: number | undefined;
  bytesWritten = 0;
  writes = 0;

  constructor(
    readonly stream: Writable,
    private readonly outcome: LineSinkOutcome,
    options: LineSinkOptions = {},
  ) {
    this.maxBuffer = options.maxBuffer ?? DEFAULT_MAX_BUFFER;
    this.ownsStream = options.ownsStream ?? false;
    this.fd = options.fd;
    // A byte stream that errors (EPIPE on a closed pipe) must not crash the process.
    stream.on('error', this.onStreamError);
  }

  push(line: string, record: LogRecord): void {
    if (this.broken) {
      this.outcome.failed([record], this.broken);
      return;
    }
    this.buffer += line;
    this.bufferedRecords.push(record);
    if (this.buffer.length >= this.maxBuffer) this.writeOut();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.onTick);
    }
  }

  /** Issues the buffered write now. */
  writeOut(): void {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer;
    const records = this.bufferedRecords;
    this.buffer = '';
    this.bufferedRecords = [];
    if (this.fd !== undefined) {
      this.writeToFd(this.fd, chunk, records);
      return;
    }
    if (this.broken || this.stream.destroyed) {
      this.outcome.failed(records, this.broken ?? new Error('stream destroyed'));
      return;
    }
    this.inFlight.push(records);
    this.writes++;
    this.bytesWritten += Buffer.byteLength(chunk);
    try {
      this.stream.write(chunk, this.onWritten);
    } catch (error) {
      this.onWritten(toError(error));
    }
  }

  /**
   * Exit path: writes the buffer with a blocking write when the stream has a file
   * descriptor and nothing of ours is still queued inside it (ordering would break).
   */
  flushSync(): void {
    if (this.buffer.length === 0) return;
    const fd = this.fd ?? (this.stream as Writable & { fd?: unknown }).fd;
    if (typeof fd === 'number' && this.stream.writableLength === 0 && !this.broken) {
      const chunk = this.buffer;
      const records = this.bufferedRecords;
      this.buffer = '';
      this.bufferedRecords = [];
      this.writeToFd(fd, chunk, records);
      return;
    }
    this.writeOut();
  }

  private writeToFd(fd: number, chunk: string, records: LogRecord[]): void {
    this.writes++;
    try {
      this.bytesWritten += writeFully(fd, chunk);
      this.outcome.delivered(records.length);
    } catch (error) {
      this.outcome.failed(records, toError(error));
    }
  }

  async close(): Promise<void> {
    this.writeOut();
    this.stream.off('error', this.onStreamError);
    this.stream.on('error', ignore);
    if (!this.ownsStream) return;
    await new Promise<void>((resolve) => {
      if (this.stream.closed || this.stream.destroyed) return resolve();
      this.stream.once('close', () => resolve());
      this.stream.end();
    });
  }

  private readonly onTick = (): void => {
    this.scheduled = false;
    this.writeOut();
  };

  private readonly onWritten = (error?: Error | null): void => {
    const records = this.inFlight.shift();
    if (records === undefined) return;
    if (error) this.outcome.failed(records, error);
    else this.outcome.delivered(records.length);
  };

  private readonly onStreamError = (error: Error): void => {
    this.broken = error;
    const stuck = this.inFlight.drain().flat();
    if (stuck.length > 0) this.outcome.failed(stuck, error);
  };
}

function ignore(): void {}

