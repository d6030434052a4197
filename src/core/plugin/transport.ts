import { Writable } from 'node:stream';
import type { SettlementListener } from '../io/settlement.js';
import type { LevelInput } from '../record/levels.js';
import type { Formatter, LogRecord } from '../record/log-record.js';
import { acceptRecord, assignId, attachListener, replayReports } from './protocol.js';

export interface TransportOptions {
  /** Minimum level this transport receives; defaults to everything the logger emits. */
  level?: LevelInput;
  /** The formatter that turns records into lines; transports that need none ignore it. */
  formatter?: Formatter;
  /** Name used in stats and events; the router assigns `type#index` when absent. */
  id?: string;
}

export interface TransportStats {
  id: string;
  type: string;
  accepted: number;
  delivered: number;
  failed: number;
  pending: number;
}

export interface TransportEvents {
  /** Records that could not be delivered, with the reason. */
  deliveryFailed: [records: readonly LogRecord[], reason: Error];
  /** Something the operator should know that is not one record's failure. */
  diagnostic: [message: string, detail?: unknown];
}

export interface Transport {
  on<K extends keyof TransportEvents>(event: K, listener: (...args: TransportEvents[K]) => void): this;
  /** Other events (Writable's own, or a subclass's such as `progress` or `flush`). */
  on(event: string | symbol, listener: (...args: never[]) => void): this;
  emit<K extends keyof TransportEvents>(event: K, ...args: TransportEvents[K]): boolean;
  emit(event: string | symbol, ...args: unknown[]): boolean;
}

/**
 * Base of every transport: an objectMode Writable of LogRecords that counts what it
 * accepted and settles each record as delivered or failed. Subclasses implement
 * `handle()` and call `settleDelivered()` / `settleFailed()` when the outcome is known.
 */
export abstract class Transport<Extra extends object = object> extends Writable {
  abstract readonly type: string;
  #id: string;
  readonly level: LevelInput | undefined;
  readonly formatter: Formatter | undefined;

  private acceptedCount = 0;
  private deliveredCount = 0;
  private failedCount = 0;
  private listener: SettlementListener<LogRecord> | undefined;
  private flushWaiters: { target: number; resolve: () => void }[] = [];

  constructor(options: TransportOptions = {}) {
    super({ objectMode: true });
    this.#id = options.id ?? '';
    this.level = options.level;
    this.formatter = options.formatter;
  }

  /** Name used in stats and events. */
  get id(): string {
    return this.#id;
  }

  [assignId](id: string): void {
    this.#id = id;
  }

  /** Set by whoever routes records here (the router, or a wrapping transport). */
  [attachListener](listener: SettlementListener<LogRecord>): void {
    this.listener = listener;
  }

  /** The entry point: takes ownership of one record. Never throws. */
  [acceptRecord](record: LogRecord): void {
    this.acceptedCount++;
    try {
      this.handle(record);
    } catch (error) {
      this.settleFailed([record], toError(error));
    }
  }

  /** The record as this transport's line: its formatter's output, or the JSON line. */
  protected formatLine(record: LogRecord): string {
    return this.formatter === undefined ? record.json() : record.formatted(this.formatter);
  }

  /** Deliver (or start delivering) one record; settle it now or later. */
  protected abstract handle(record: LogRecord): void;

  /** Push anything buffered towards its destination now (flush() waits for the outcome). */
  protected startFlush(): void {}

  /** Write anything buffered synchronously; used on the exit path. */
  flushSync(): void {}

  /** Release destinations when the stream ends; resolves once descriptors/sockets are closed. */
  protected async closeResources(): Promise<void> {}

  private earlyReports: [string, unknown][] = [];

  /**
   * Reports a problem through the logger's diagnostics instead of throwing or printing.
   * Reports made before anyone listens (from a constructor) are kept for the router.
   */
  protected report(message: string, detail?: unknown): void {
    if (this.listenerCount('diagnostic') > 0) this.emit('diagnostic', message, detail);
    else if (this.earlyReports.length < 20) this.earlyReports.push([message, detail]);
  }

  [replayReports](): void {
    const reports = this.earlyReports;
    this.earlyReports = [];
    for (const [message, detail] of reports) this.report(message, detail);
  }

  protected settleDelivered(count = 1): void {
    count = this.unsettled(count);
    if (count === 0) return;
    this.deliveredCount += count;
    try {
      this.listener?.delivered(count);
    } catch (error) {
      this.listenerThrew(error);
    }
    if (this.flushWaiters.length > 0) this.wakeFlushWaiters();
  }

  protected settleFailed(records: readonly LogRecord[], reason: Error): void {
    const count = this.unsettled(records.length);
    if (count === 0) return;
    if (count < records.length) records = records.slice(0, count);
    this.failedCount += count;
    try {
      if (this.listenerCount('deliveryFailed') > 0) this.emit('deliveryFailed', records, reason);
      this.listener?.failed(records, reason);
    } catch (error) {
      this.listenerThrew(error);
    }
    if (this.flushWaiters.length > 0) this.wakeFlushWaiters();
  }

  /**
   * How many of `count` settlements are owed: a transport that settles more records than
   * it accepted (settling one twice) has the excess ignored, and is told once.
   */
  private unsettled(count: number): number {
    const owed = this.pending;
    if (count <= owed) return count;
    if (!this.oversettled) {
      this.oversettled = true;
      this.reportSafely(`settled ${count} record(s) with ${owed} outstanding; the excess is ignored`);
    }
    return Math.max(0, owed);
  }

  private oversettled = false;

  /** The records are settled all the same: a listener's bug must not count them twice. */
  private listenerThrew(error: unknown): void {
    this.reportSafely('a settlement listener threw; the records stay settled once', error);
  }

  private reportSafely(message: string, detail?: unknown): void {
    try {
      this.report(message, detail);
    } catch {
      // A throwing diagnostic listener has nobody left to tell.
    }
  }

  /** Is someone waiting in flush() right now? */
  protected flushRequested(): boolean {
    return this.flushWaiters.length > 0;
  }

  get pending(): number {
    return this.acceptedCount - this.deliveredCount - this.failedCount;
  }

  /** Resolves once every record accepted before the call is delivered or failed. */
  flush(): Promise<void> {
    const target = this.acceptedCount;
    if (this.deliveredCount + this.failedCount >= target) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.flushWaiters.push({ target, resolve }));
    this.startFlush();
    return done;
  }

  /** A short description when a transport is itself logged: never its internals. */
  toJSON(): { type: 'Transport'; transport: string; id: string } {
    return { type: 'Transport', transport: this.type, id: this.id };
  }

  /** Flushes, ends the stream and resolves when its resources are released. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    if (!this.writableEnded) this.end();
    await new Promise<void>((resolve) => {
      if (this.closed) resolve();
      else this.once('close', () => resolve());
    });
  }

  /** Never throws: a subclass whose extraStats() throws gets the base counters and the error. */
  stats(): TransportStats & Extra {
    const base: TransportStats = {
      id: this.id,
      type: this.type,
      accepted: this.acceptedCount,
      delivered: this.deliveredCount,
      failed: this.failedCount,
      pending: this.pending,
    };
    try {
      return { ...base, ...this.extraStats() };
    } catch (error) {
      return { ...base, statsError: String(error) } as unknown as TransportStats & Extra;
    }
  }

  /** What a subclass adds to stats(). */
  protected extraStats(): Extra {
    return {} as Extra;
  }

  override _write(record: LogRecord, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this[acceptRecord](record);
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.flush()
      .then(() => this.closeResources())
      .then(
        () => callback(),
        (error: unknown) => callback(toError(error)),
      );
  }

  private wakeFlushWaiters(): void {
    const settled = this.deliveredCount + this.failedCount;
    while (this.flushWaiters.length > 0 && this.flushWaiters[0]!.target <= settled) {
      this.flushWaiters.shift()!.resolve();
    }
  }
}

export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** Duck-typed so transports built against another copy of streamlog (ESM vs CJS) still count. */
export function isTransport(value: unknown): value is Transport {
  const candidate = value as Partial<Transport> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate[acceptRecord] === 'function' &&
    typeof candidate[attachListener] === 'function' &&
    typeof candidate.flush === 'function'
  );
}
