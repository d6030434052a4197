import type { Writable } from 'node:stream';
import { messageOf } from '../util/thrown.js';
import { guardWrites } from '../io/guarded-writes.js';
import { LineSink, stdioFd, type LineSinkOptions } from '../io/line-sink.js';
import type { SettlementListener } from '../io/settlement.js';
import { onStreamClose, onStreamError } from '../io/shared-listeners.js';
import { holdStream } from '../io/stream-holders.js';
import { Queue } from '../util/queue.js';
import type { LogRecord } from '../record/log-record.js';
import { isSonicBoom, SonicBoomTransport } from './sonic-boom.js';
import { isThreadStream, ThreadStreamTransport } from './thread-stream.js';
import { endUnder, isTransport, toError, Transport, type TransportOptions } from './transport.js';
import { type WriteOnlyDestination, WriteOnlyTransport } from './write-only.js';

export type { WriteOnlyDestination } from './write-only.js';

const CALLED_BACK_TWICE = 'the stream called back twice for one write; later calls are ignored (said once)';

/** The stream took a write (called back), then threw or rejected: what it took may be lost past it. */
function threwAfterCallback(error: Error): string {
  return `the stream's write threw after it called back: ${messageOf(error)} (its records stay counted as written)`;
}

/** Any byte Writable (process.stdout, fs.createWriteStream, a socket) as a transport of lines. */
export class StreamTransport extends Transport<{ bytes: number; writes: number }> {
  readonly type: string = 'stream';
  protected readonly sink: LineSink<LogRecord>;

  constructor(stream: Writable, options: TransportOptions & LineSinkOptions = {}) {
    super(options);
    // We end what we are handed, except the process's own stdio.
    const ownsStream = options.ownsStream ?? (stream !== process.stdout && stream !== process.stderr);
    this.sink = new LineSink(stream, settlementOf(this), { ...options, ownsStream, fd: options.fd ?? stdioFd(stream) });
    if (ownsStream) {
      this.release = holdStream(stream);
      const sink = this.sink;
      this.unguard = guardWrites(stream, {
        threw: (chunks, error) => {
          if (sink.writeThrew(chunks, error)) this.report(`the stream's write threw: ${messageOf(error)}`, error);
        },
        threwAfterCallback: (error) => this.report(threwAfterCallback(error), error),
        calledBackTwice: () => this.report(CALLED_BACK_TWICE),
      });
    }
  }

  protected handle(record: LogRecord): void {
    this.sink.push(this.formatLine(record), record);
  }

  protected override startFlush(): void {
    this.sink.writeOut();
  }

  override flushSync(): void {
    this.sink.flushSync();
  }

  override giveUpSync(reason: Error): void {
    this.sink.giveUpSync(reason);
  }

  override get waitsWithoutDeadline(): boolean {
    return true;
  }

  protected override async closeResources(): Promise<void> {
    this.unguard();
    const failure = await this.sink.close(this.release());
    // Its lines were written (their callbacks came): what failed is the stream's own end.
    if (failure !== undefined) this.report(`the stream failed as it ended: ${failure.message}`, failure);
  }

  /** Destroyed (a close that gave up): the stream is released, and destroyed when no one else holds it. */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.unguard();
    this.sink.abandon(this.release());
    callback(error);
  }

  /** The logger this was made for was never built: the caller's stream is handed back as it was. */
  letGo(): void {
    this.unguard();
    this.release();
    this.sink.abandon(false);
  }

  /** Takes this transport's guard off the stream (see guardWrites). */
  private unguard: () => void = () => {};
  /** Lets go of the stream: true when no other transport holds it, so it is ours to end (see holdStream). */
  private release: () => boolean = () => false;

  protected override extraStats(): { bytes: number; writes: number } {
    return { bytes: this.sink.bytesWritten, writes: this.sink.writes };
  }
}

/**
 * A plain objectMode Writable (what a plugin's create() may return) as a transport: its
 * write callback means delivered, an error in it means failed. Callbacks arrive in order,
 * so one queue of in-flight records settles them without a closure per record.
 */
export class WritableTransport extends Transport {
  readonly type: string = 'writable';
  private readonly inFlight = new Queue<LogRecord>();
  /** Records whose _write threw, and why: settled as failed when their callback comes. */
  private readonly thrown = new WeakMap<LogRecord, Error>();
  /** Whether any write threw: until then a callback looks nothing up. */
  private anyThrown = false;
  /** Set once the stream's queue is given up on (the process is ending): it will never be written. */
  private givenUp: Error | undefined;
  /** The stream's first 'error': later records fail with it. */
  private broken: Error | undefined;

  constructor(
    readonly target: Writable,
    options: TransportOptions = {},
  ) {
    super(options);
    // One listener per stream and event, however many loggers write to it (see shared-listeners).
    this.stopHearingError = onStreamError(target, this.onTargetError);
    this.stopHearingClose = onStreamClose(target, this.onTargetClose);
    this.release = holdStream(target);
    this.unguard = guardWrites(target, {
      threw: (records, error) => {
        // A stream two loggers share tells both: only records in flight here are this one's.
        const ours = records.filter((record) => this.inFlight.includes(record as LogRecord));
        if (ours.length === 0) return;
        this.report(`the stream's write threw: ${messageOf(error)}`, error);
        for (const record of ours) this.thrown.set(record as LogRecord, error);
        this.anyThrown = true;
      },
      threwAfterCallback: (error) => this.report(threwAfterCallback(error), error),
      calledBackTwice: () => this.report(CALLED_BACK_TWICE),
    });
  }

  /** Takes this transport's guard off the stream (see guardWrites). */
  private readonly unguard: () => void;
  /** Lets go of the stream: true when no other transport holds it, so it is ours to end (see holdStream). */
  private readonly release: () => boolean;
  private readonly stopHearingError: () => void;
  private readonly stopHearingClose: () => void;

  protected handle(record: LogRecord): void {
    // Given up on, the stream would only queue it behind writes that never happen.
    if (this.givenUp !== undefined) {
      this.settleFailed([record], this.givenUp);
      return;
    }
    // After an 'error' the stream is broken even if it was not destroyed: a write would
    // wait behind one whose callback never comes.
    if (this.broken !== undefined) {
      this.settleFailed([record], this.broken);
      return;
    }
    if (this.target.destroyed || this.target.writableEnded) {
      this.settleFailed([record], new Error('target stream is closed'));
      return;
    }
    this.inFlight.push(record);
    this.target.write(record, this.onWritten);
  }

  protected override async closeResources(): Promise<void> {
    this.unguard();
    // Another logger still writes to it: its close ends the stream.
    if (!this.release()) return this.stopListening();
    if (this.target.destroyed || this.target.closed) return;
    // A stream that failed may never finish its end(): its records are settled, release it.
    if (this.broken !== undefined) {
      this.target.destroy();
      return;
    }
    await new Promise<void>((resolve) => {
      const done = (): void => resolve();
      this.target.once('close', done);
      this.target.once('finish', done);
      this.target.once('error', done);
      this.target.end();
    });
  }

  /** Destroyed (close gave up on it): the stream it writes to is released with it. */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.unguard();
    if (this.release() && !this.target.destroyed) this.target.destroy();
    else this.stopListening();
    callback(error);
  }

  /** The logger this was made for was never built: the caller's stream is handed back as it was. */
  letGo(): void {
    this.unguard();
    this.release();
    this.stopListening();
  }

  /** Off a stream another transport goes on writing to: its errors and close are no longer ours. */
  private stopListening(): void {
    this.stopHearingError();
    this.stopHearingClose();
  }

  override get waitsWithoutDeadline(): boolean {
    return true;
  }

  /** The stream's queue will not be written in time: its records fail with `reason` (counted, dead-lettered). */
  override giveUpSync(reason: Error): void {
    this.givenUp = reason;
    const stuck = this.inFlight.drain();
    for (const record of stuck) this.thrown.delete(record);
    if (stuck.length > 0) this.settleFailed(stuck, reason);
  }

  private readonly onWritten = (error?: Error | null): void => {
    // A callback of a write given up on finds nothing: its record was settled then.
    const record = this.inFlight.shift();
    if (record === undefined) return;
    const threw = this.anyThrown ? this.thrown.get(record) : undefined;
    if (threw) this.thrown.delete(record);
    if (error || threw) this.settleFailed([record], toError(error ?? threw));
    else this.settleDelivered(1);
  };

  private readonly onTargetError = (error: Error): void => {
    this.broken ??= error;
    const stuck = this.inFlight.drain();
    if (stuck.length > 0) this.settleFailed(stuck, error);
    if (this.target.destroyed) this.endWithStream(error);
  };

  /** Destroyed without an error: writes still in flight will never be called back. */
  private readonly onTargetClose = (): void => {
    const stuck = this.inFlight.drain();
    for (const record of stuck) this.thrown.delete(record);
    if (stuck.length > 0) this.settleFailed(stuck, new Error('target stream closed before the write completed'));
    this.endWithStream(undefined);
  };

  /**
   * The stream was destroyed (not ended by this transport's close): the transport ends too, so
   * whoever routes to it gives up on it as on any transport that destroyed itself (the router
   * marks it unhealthy; a wrapper such as buffered ends with it instead of retrying a dead
   * stream). With no one listening for an error yet, it ends without one (never a crash).
   */
  private endWithStream(error: Error | undefined): void {
    if (!this.target.writableFinished) endUnder(this, error);
  }
}

/** A listener that settles on a transport's behalf, for the sinks it writes through. */
export function settlementOf(transport: Transport): SettlementListener<LogRecord> {
  const settle = transport as unknown as {
    settleDelivered(count: number): void;
    settleFailed(records: readonly LogRecord[], reason: Error): void;
  };
  return {
    delivered: (count) => settle.settleDelivered(count),
    failed: (records, reason) => settle.settleFailed(records, reason),
  };
}

/**
 * A transport made for a logger that then failed to build: one wrapping a stream the caller
 * handed in lets go of it untouched; a Transport the caller made is theirs, and left alone.
 */
export function letGoOf(transport: Transport): void {
  if (
    transport instanceof StreamTransport ||
    transport instanceof WritableTransport ||
    transport instanceof SonicBoomTransport ||
    transport instanceof ThreadStreamTransport
  ) {
    transport.letGo();
  }
}

/**
 * A Writable, or an object with a write(line) only (a test's collector, a hand-made sink), as
 * pino takes either. Not pino.multistream(): it routes by the level pino tells it before each write.
 */
export function isDestination(value: unknown): value is Writable | WriteOnlyDestination {
  if (isWritable(value)) return true;
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { write?: unknown }).write === 'function' &&
    !(Symbol.for('pino.metadata') in value)
  );
}

/** Accepts whatever a user or plugin hands us and returns a transport. */
export function toTransport(value: unknown, options: TransportOptions = {}): Transport {
  if (isTransport(value)) return value;
  if (isSonicBoom(value)) return new SonicBoomTransport(value, options);
  if (isThreadStream(value)) return new ThreadStreamTransport(value, options);
  if (!isWritable(value)) {
    if (isDestination(value)) return new WriteOnlyTransport(value, options);
    throw new TypeError('a transport must be a Writable stream or a streamlog Transport');
  }
  const stream = value;
  if (stream.writableObjectMode) return new WritableTransport(stream, options);
  return new StreamTransport(stream, options);
}

/** Anything with Writable's write() and on(): a stream we can adapt. */
export function isWritable(value: unknown): value is Writable {
  const candidate = value as Writable | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.write === 'function' &&
    typeof candidate.on === 'function'
  );
}
