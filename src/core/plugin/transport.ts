import { Writable } from 'node:stream';
import { isDrop, isSkip, type SettlementListener } from '../io/settlement.js';
import type { LevelInput } from '../record/levels.js';
import type { Formatter, LogRecord } from '../record/log-record.js';
import {
  acceptRecord,
  assignId,
  attachListener,
  attachServices,
  failHeld,
  holdInstead,
  replayReports,
} from './protocol.js';
import { messageOf } from '../util/thrown.js';
import { heldEvent } from '../util/exit-hold.js';
import { isThenable } from '../util/thenable.js';

export interface TransportOptions {
  /** Minimum level this transport receives; defaults to everything the logger emits. */
  level?: LevelInput | undefined;
  /** The formatter that turns records into lines; transports that need none ignore it. */
  formatter?: Formatter | undefined;
  /** Name used in stats and events; the router assigns `type#index` when absent. */
  id?: string | undefined;
}

export interface TransportStats {
  id: string;
  type: string;
  accepted: number;
  delivered: number;
  /** Settled as failed, drops for a bound aside (those are in `dropped`). */
  failed: number;
  /**
   * Dropped for a bound of its own (an http spool's maxBytes), or left out on purpose (a
   * validating target's skipped records): settled, neither delivered nor failed.
   */
  dropped: number;
  /** Accepted and not yet settled: in memory, in flight, or parked on disk. */
  pending: number;
  /** Of `pending`, records kept on disk (a spool) for a later attempt or the next start. */
  parked: number;
  /**
   * Delivered records sent again after an attempt whose outcome was unknown (a timeout or a
   * reset after the request was written): the destination may hold them twice.
   */
  possibleDuplicates: number;
}

/** What the logger lends a transport: spooled lines back as records, and its dead letter. */
export interface TransportServices {
  revive(line: string): LogRecord;
  deadLetter(record: LogRecord, reason: Error): boolean;
}

export interface TransportEvents {
  /** Records that could not be delivered, with the reason. */
  deliveryFailed: [records: readonly LogRecord[], reason: Error];
  /** Something the operator should know that is not one record's failure. */
  diagnostic: [message: string, detail?: unknown];
}

/**
 * A listener of event `K` of a transport with events of its own (`Own`, such as the file
 * transport's `progress`) besides every transport's. A subclass types them by declaring
 * `on<K extends keyof Own | keyof TransportEvents>(event: K, listener: TransportListener<Own, K>): this`
 * beside the catch-all overload below, in an interface of its name.
 */
export type TransportListener<Own extends { [E in keyof Own]: unknown[] }, K> = (
  ...args: K extends keyof Own ? Own[K] : K extends keyof TransportEvents ? TransportEvents[K] : never
) => void;

export interface Transport {
  on<K extends keyof TransportEvents>(event: K, listener: (...args: TransportEvents[K]) => void): this;
  /** Other events (Writable's own, or a subclass's such as `progress` or `flush`). */
  on(event: string | symbol, listener: (...args: never[]) => void): this;
  emit<K extends keyof TransportEvents>(event: K, ...args: TransportEvents[K]): boolean;
  emit(event: string | symbol, ...args: unknown[]): boolean;
}

/**
 * A count of another installed copy's transport, from its stats(), which that copy reads from
 * its own private fields (its public getters a subclass may shadow, a Set named `pending`).
 */
function foreignCount(transport: Transport, key: 'pending' | 'parked'): number {
  try {
    const value = (transport.stats() as unknown as Record<string, unknown>)[key];
    return typeof value === 'number' && Number.isFinite(value) ? value : 0;
  } catch {
    return 0;
  }
}

/**
 * A transport's keepsHeld, as the base classes ask it: one that throws (a `giveUpSync` getter
 * of a plugin's) is taken as "keep", so what it holds fails at the end rather than stays pending.
 */
export function keepsHeldOf(ask: () => boolean): boolean {
  try {
    return ask();
  } catch {
    return true;
  }
}

/**
 * Ends a transport whose destination died under it, so whoever routes to it gives up on what
 * it holds: with the error where someone listens for one, else without (an 'error' event no
 * one hears ends the process). Not one already ending (its own close) or ended.
 */
export function endUnder(transport: Transport, error: Error | undefined): void {
  if (transport.destroyed || transport.writableEnded) return;
  if (error !== undefined && transport.listenerCount('error') > 0) transport.destroy(error);
  else transport.destroy();
}

/** What a plugin gave where a count of records belongs, as a report says it: `"1"`, not NaN. */
function givenCount(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `${JSON.stringify(value.slice(0, 40))} (a string)`;
  return value === null ? 'null' : `a value of type ${typeof value}`;
}

/** A transport's own counters, as the library reads them (see countsOf). */
export type TransportCounts = Omit<TransportStats, 'id' | 'type'>;

let readCounts: (transport: Transport) => TransportCounts | undefined;
let readPending: (transport: Transport) => number;
let readParked: (transport: Transport) => number;

/*
 * A transport's counters as the base class keeps them, for the router and the logger's stats:
 * a plugin's own field or getter named `pending` or `parked` (a Set of its sends, a count of
 * its own) shadows the public getters, and counted records as delivered that it never had.
 * A transport of another installed copy of the library keeps them where this copy cannot
 * read them: its stats() says them (see foreignCount).
 */

/** Records accepted and not settled (parked ones included). */
export function pendingOf(transport: Transport): number {
  return readPending(transport);
}

/** Of pendingOf, the records on disk (a spool). */
export function parkedOf(transport: Transport): number {
  return readParked(transport);
}

/** All the counters (undefined for another copy's transport), for stats. */
export function countsOf(transport: Transport): TransportCounts | undefined {
  return readCounts(transport);
}

/**
 * Base of every transport: an objectMode Writable of LogRecords that counts what it
 * accepted and settles each record as delivered or failed. Subclasses implement
 * `handle()` and call `settleDelivered()` / `settleFailed()` when the outcome is known.
 * Its own state is in private (#) fields: a subclass's fields of any name leave it alone.
 */
export abstract class Transport<Extra extends object = object> extends Writable {
  static {
    readCounts = (transport) =>
      #acceptedCount in transport
        ? {
            accepted: transport.#acceptedCount,
            delivered: transport.#deliveredCount,
            failed: transport.#failedCount - transport.#droppedCount,
            dropped: transport.#droppedCount,
            pending: readPending(transport),
            parked: transport.#parkedCount,
            possibleDuplicates: transport.#possibleDuplicateCount,
          }
        : undefined;
    readPending = (transport) =>
      #acceptedCount in transport
        ? transport.#acceptedCount - transport.#deliveredCount - transport.#failedCount
        : foreignCount(transport, 'pending');
    readParked = (transport) =>
      #parkedCount in transport ? transport.#parkedCount : foreignCount(transport, 'parked');
  }

  abstract readonly type: string;
  #id: string;
  readonly level: LevelInput | undefined;
  readonly formatter: Formatter | undefined;

  #acceptedCount = 0;
  #deliveredCount = 0;
  #possibleDuplicateCount = 0;
  #failedCount = 0;
  /** Of failedCount, the drops (see isDrop): said apart in stats. */
  #droppedCount = 0;
  #parkedCount = 0;
  #listener: SettlementListener<LogRecord> | undefined;
  /** flush() waits for settlement; close waits for settlement or parking (`parkedCounts`). */
  #flushWaiters: FlushWaiter[] = [];
  #services: TransportServices | undefined;
  /**
   * The records a transport with no `giveUpSync` of its own (a plugin's) holds unsettled,
   * oldest first (`settleDelivered(n)` settles the n oldest). At the process's end, or when
   * a close gives up on it, they fail by name: counted, dead-lettered and reported, where they
   * stayed pending with nothing said. None kept for a transport that fails or settles what it
   * holds itself (the built-ins). Records a plugin parks (on disk of its own) leave the set:
   * the next start sends them, and failing them too would count them twice; the rest it holds
   * in memory stay in it, so they fail at the end rather than staying pending unsaid. Each
   * with the number it was accepted as: a flush waits until none accepted before it is held.
   */
  #unsettled: Map<LogRecord, number> | undefined;
  /**
   * keepsHeld is asked at the first record, not in the constructor: there a subclass's own
   * fields are not set yet, and a `giveUpSync = (reason) => …` written as one was not seen.
   * Until then `#unsettled` is undefined, and nothing is held.
   */
  #keepingDecided = false;

  /**
   * Asked at the first record only: a base class of a plugin's may park, unpark or flush in its
   * constructor, before the plugin's own fields are set; until a record comes nothing is held.
   * A keepsHeld that throws (a `giveUpSync` getter of a plugin's) is taken as "keep": its
   * records then fail at the end rather than stay pending, and accepting a record never throws.
   */
  #decideKeeping(): void {
    this.#keepingDecided = true;
    if (keepsHeldOf(() => this.keepsHeld)) this.#unsettled = new Map();
  }
  /**
   * Parked records a plugin read back (unpark) and has not settled yet: new records made from
   * its disk, never in `#unsettled`, so its settlements of them are taken from this count.
   */
  #readBack = 0;
  /**
   * Records a settlement by count took as the oldest held while others stayed
   * held: see `takeNamed`. Made anew once a count takes all it holds (`#tookSome` says whether
   * there is anything to let go).
   */
  #takenByCount = new WeakSet<LogRecord>();
  #tookSome = false;
  /** A settleDelivered([…]) named records it does not hold (said once). */
  #namedUnheld = false;

  constructor(options: TransportOptions = {}) {
    super({ objectMode: true });
    this.#id = options.id ?? '';
    this.level = options.level;
    this.formatter = options.formatter;
    // Closed or destroyed (close() gave up on it), nothing more settles: a flush() waiting on
    // it resolves rather than waiting for ever.
    this.once('close', () => {
      const waiters = this.#flushWaiters;
      this.#flushWaiters = [];
      for (const waiter of waiters) waiter.resolve();
    });
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
    this.#listener = listener;
  }

  [attachServices](services: TransportServices): void {
    this.#services = services;
    this.servicesAttached(services);
  }

  /** What the logger lends (undefined until the transport is added to one). */
  protected get services(): TransportServices | undefined {
    return this.#services;
  }

  /** Called once the transport is added to a logger (a spool can be claimed now its id is known). */
  protected servicesAttached(_services: TransportServices): void {}

  /** The entry point: takes ownership of one record. Never throws. */
  [acceptRecord](record: LogRecord): void {
    this.#acceptedCount++;
    if (!this.#keepingDecided) this.#decideKeeping();
    this.#unsettled?.set(record, this.#acceptedCount);
    try {
      const done: unknown = this.handle(record);
      // An async handle() (`await producer.send(…)`): its rejection fails the record, as a throw
      // does; unheard, it was an unhandled rejection that ended the process.
      if (isThenable(done)) done.then(undefined, (error: unknown) => this.#handleRejected(record, error));
    } catch (error) {
      this.#handleThrew(record, error);
    }
  }

  /**
   * An async handle() that rejects is a failure by name, heard later: a count that another
   * record's send settled meanwhile may have taken this one as the oldest (`await send(line);
   * this.settleDelivered(1)` with sends answered out of order). Then this one fails, and the
   * count stands for one still held, as for a plugin's own settleFailed([record]).
   */
  #handleRejected(record: LogRecord, error: unknown): void {
    const held = this.#unsettled;
    const takenByAnotherCount = held !== undefined && held.size > 0 && this.#takenByCount.has(record);
    if (takenByAnotherCount) this.settleFailed([record], toError(error));
    else this.#handleThrew(record, error);
  }

  #handleThrew(record: LogRecord, error: unknown): void {
    // A handle() that settled the record and then threw: it is not settled a second time.
    const held = this.#unsettled;
    if (held === undefined || held.has(record)) this.settleFailed([record], toError(error));
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

  /**
   * Nothing more will be sent in time (the process is ending, or close() ran out of time):
   * what the transport still holds is parked on disk where it can be, or failed with
   * `reason`, synchronously. Transports that hold nothing asynchronously need not override it.
   */
  giveUpSync(_reason: Error): void {}

  /** See failHeld: the records kept for a transport with no giveUpSync of its own fail with `reason`. */
  [failHeld](reason: Error): void {
    const held = this.#unsettled;
    if (held !== undefined && held.size > 0) this.settleFailed([...held.keys()], reason);
  }

  /** See holdInstead: false when `held` is not held (or nothing is kept by name). */
  [holdInstead](settled: LogRecord, held: LogRecord): boolean {
    const kept = this.#unsettled;
    const accepted = kept?.get(held);
    if (kept === undefined || accepted === undefined || kept.has(settled)) return false;
    // In `held`'s place: the set stays oldest first (a flush reads the first). Rare, so rebuilt.
    const entries = [...kept];
    kept.clear();
    for (const [record, number] of entries) kept.set(record === held ? settled : record, number);
    return true;
  }

  /** Are its unsettled records kept by name (see `#unsettled`): a plugin's with no giveUpSync. */
  protected get keepsHeld(): boolean {
    return this.giveUpSync === Transport.prototype.giveUpSync && !this.settlesAllAtExit;
  }

  /**
   * A built-in transport that writes what it holds synchronously at the process's end
   * (`flushSync`), or settles each record as it takes it: nothing is kept for `giveUpSync`.
   */
  protected get settlesAllAtExit(): boolean {
    return false;
  }

  /**
   * Whether the transport has no deadline of its own for what it holds: a Writable handed in
   * as a transport waits for its stream's callbacks, which a stalled destination never makes,
   * and a plugin's transport with no `giveUpSync` may lose a callback of its own. A close
   * without a timeout gives such a transport the logger's `exitTimeoutMs` without progress,
   * then gives up on it (its records fail); every other one is waited for as its bounds say.
   */
  get waitsWithoutDeadline(): boolean {
    return this.#unsettled !== undefined;
  }

  /**
   * Is a read of the transport's own spool being sent? Its records count as parked, not held,
   * so no wait on the counts sees them: the end of a script asks here, so as not to end under it.
   */
  get replaying(): boolean {
    return false;
  }

  /** Resolves once no read of the spool is being sent (its answer has come, or it was given up). */
  replayAnswered(): Promise<void> {
    return Promise.resolve();
  }

  /** Push what is held towards its destination for a close: no waiting out long backoffs. */
  protected startClose(): void {
    this.startFlush();
  }

  /** Release destinations when the stream ends; resolves once descriptors/sockets are closed. */
  protected async closeResources(): Promise<void> {}

  #earlyReports: [string, unknown][] = [];

  /**
   * Reports a problem through the logger's diagnostics instead of throwing or printing.
   * Reports made before anyone listens (from a constructor) are kept for the router.
   */
  protected report(message: string, detail?: unknown): void {
    if (this.listenerCount('diagnostic') > 0) this.emit('diagnostic', message, detail);
    else if (this.#earlyReports.length < 20) this.#earlyReports.push([message, detail]);
  }

  [replayReports](): void {
    const reports = this.#earlyReports;
    this.#earlyReports = [];
    for (const [message, detail] of reports) this.report(message, detail);
  }

  /**
   * `parked` unsettled records were written to disk for a later attempt (still pending): a
   * count (the oldest held, for a transport that parks in order), or the records themselves.
   */
  protected park(parked: number | readonly LogRecord[]): void {
    const named = Array.isArray(parked);
    let count = named ? parked.length : (parked as number);
    if (!Number.isSafeInteger(count) || count <= 0) return;
    // Only records in memory can be parked: more (one settled already) counted delivered records
    // as pending on disk, and let a close take records still in memory for parked ones.
    const open = pendingOf(this) - this.#parkedCount;
    if (count > open) {
      if (!this.#overparked) {
        this.#overparked = true;
        this.#reportSafely(`parked ${count} record(s) with ${open} in memory; the excess is ignored`);
      }
      count = Math.max(0, open);
    }
    const held = this.#unsettled;
    let which: readonly LogRecord[] | undefined;
    if (named) {
      which = parked.slice(0, count);
      if (held !== undefined) which = which.filter((record) => this.#takeNamed(record, held));
      count = which.length;
    } else if (held !== undefined) this.#takeOldest(count, held, false);
    if (count <= 0) return;
    this.#parkedCount += count;
    this.#tellListener('parked', count, which);
    if (this.#flushWaiters.length > 0) this.#wakeFlushWaiters();
  }

  /** `count` parked records are back in memory, to be sent (and settled) again. */
  protected unpark(count: number): void {
    if (!Number.isSafeInteger(count) || count <= 0) return;
    const back = Math.min(count, this.#parkedCount);
    this.#parkedCount -= back;
    // Counted before the first record too: whether they are kept by name is not known yet.
    if (this.#unsettled !== undefined || !this.#keepingDecided) this.#readBack += back;
    if (back > 0) this.#tellListener('unparked', back);
  }

  /** A wrapping transport hears what its inner one parks (the router reads `parked` instead). */
  #tellListener(event: 'parked' | 'unparked', count: number, records?: readonly LogRecord[]): void {
    try {
      this.#listener?.[event]?.(count, records);
    } catch (error) {
      this.#listenerThrew(error);
    }
  }

  get parked(): number {
    return this.#parkedCount;
  }

  /** `count` delivered records may be at the destination twice (see TransportStats). */
  protected countPossibleDuplicates(count: number): void {
    // A negative count would take away what another batch counted; no number at all, NaN for good.
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
      if (!this.#badDuplicateCount) {
        this.#badDuplicateCount = true;
        this.#reportSafely(`counted ${givenCount(count)} possible duplicate(s): not a count of records; ignored`);
      }
      return;
    }
    this.#possibleDuplicateCount += count;
  }

  /**
   * `delivered` records delivered: a count (the oldest unsettled ones, for a transport that
   * settles in order), or the records themselves (one that settles out of order names them,
   * so what the process's end fails is what was not delivered).
   */
  protected settleDelivered(delivered: number | readonly LogRecord[] = 1): void {
    const named = Array.isArray(delivered);
    const held = this.#unsettled;
    let which: readonly LogRecord[] | undefined;
    if (named) which = held === undefined ? delivered : this.#heldOf(delivered, held);
    const count = this.#unsettledOf(which?.length ?? delivered);
    if (count === 0) return;
    if (held !== undefined && !named) this.#takeOldest(count, held, true);
    if (which !== undefined && count < which.length) which = which.slice(0, count);
    this.#deliveredCount += count;
    try {
      this.#listener?.delivered(count, which);
    } catch (error) {
      this.#listenerThrew(error);
    }
    if (this.#flushWaiters.length > 0) this.#wakeFlushWaiters();
  }

  /**
   * Of the records a transport names as delivered, those it holds, taken out of the held set:
   * a copy, another logger's record, one named twice or a hole counts for nothing (said once).
   */
  #heldOf(records: readonly LogRecord[], held: Map<LogRecord, number>): LogRecord[] {
    const taken = records.filter((record) => this.#takeNamed(record, held));
    if (taken.length < records.length && !this.#namedUnheld) {
      this.#namedUnheld = true;
      this.#reportSafely(`settled ${records.length - taken.length} record(s) it does not hold as delivered; ignored`);
    }
    return taken;
  }

  protected settleFailed(records: readonly LogRecord[], reason: Error): void {
    // JavaScript plugins: one record where an array belongs, a string where an Error does.
    if (!Array.isArray(records)) records = [records as unknown as LogRecord];
    reason = toReason(reason);
    records = this.#failable(records);
    const count = this.#unsettledOf(records.length);
    if (count === 0) return;
    if (count < records.length) records = records.slice(0, count);
    this.#failedCount += count;
    if (isDrop(reason)) this.#droppedCount += count;
    // The router first, on its own: a user's listener that throws (or exits) must not keep
    // the failure from being counted and dead-lettered.
    try {
      this.#listener?.failed(records, reason);
    } catch (error) {
      this.#listenerThrew(error);
    }
    // A record left out on purpose is no failure to tell of (the transport says what it did).
    if (this.listenerCount('deliveryFailed') > 0 && !isSkip(reason)) {
      const tell = (): void => {
        try {
          this.emit('deliveryFailed', records, reason);
        } catch (error) {
          this.#listenerThrew(error);
        }
      };
      if (!heldEvent(tell)) tell();
    }
    if (this.#flushWaiters.length > 0) this.#wakeFlushWaiters();
  }

  /**
   * Of the records a transport fails, those that may fail: with the records it holds kept (a
   * plugin's), those, taken out of the held set; else those that are records at all. A copy
   * (`{ ...record }`, no json()) threw out of the dead letter's write and ended the process,
   * and a record settled already was counted and dead-lettered in place of one still held.
   */
  #failable(records: readonly LogRecord[]): readonly LogRecord[] {
    const held = this.#unsettled;
    const kept = held === undefined ? records.filter(isRecord) : records.filter((r) => this.#takeNamed(r, held));
    if (kept.length < records.length && !this.#failedUnheld) {
      this.#failedUnheld = true;
      this.#reportSafely(`failed ${records.length - kept.length} record(s) it does not hold; ignored`);
    }
    return kept;
  }

  /** A settleFailed([…]) named records it does not hold (said once). */
  #failedUnheld = false;

  /**
   * `count` records settled or parked by count: those read back from its disk first (it calls
   * unpark just before settling them), then the oldest it holds.
   */
  #takeOldest(count: number, held: Map<LogRecord, number>, settled: boolean): void {
    const back = Math.min(count, this.#readBack);
    this.#readBack -= back;
    this.#takeHeld(count - back, held, settled);
  }

  /**
   * The `count` oldest it holds are settled (remembered, see takeNamed) or parked by count (not:
   * one parked is named again when it is read back, and that is `#readBack`'s to count).
   */
  #takeHeld(count: number, held: Map<LogRecord, number>, settled: boolean): void {
    if (count <= 0) return;
    if (count >= held.size) {
      // All it holds: no count can have meant another, and none taken before can be named again
      // in the place of one still held (see takeNamed). Their table goes with them.
      held.clear();
      if (this.#tookSome) {
        this.#takenByCount = new WeakSet();
        this.#tookSome = false;
      }
      return;
    }
    let left = count;
    for (const record of held.keys()) {
      if (left-- <= 0) break;
      held.delete(record);
      if (settled) this.#takenByCount.add(record);
    }
    if (settled) this.#tookSome = true;
  }

  /**
   * Is a record it names one it holds (taken out of the set), one a settlement by count took in
   * the place of another still held, or one of those it read back from its disk (made anew
   * there, so not held by name: as many as it read)?
   */
  #takeNamed(record: LogRecord, held: Map<LogRecord, number>): boolean {
    if (held.delete(record)) return true;
    if (held.size > 0 && this.#takenByCount.delete(record)) {
      // A plugin that settles successes by count and failures by name, out of order (a send
      // that fails later than the next one succeeds): the count meant a record still held,
      // and this one is settled now. Else this one was never settled, and one delivered stayed
      // pending for ever (a flush() waiting on it too), to fail at the close.
      this.#takeHeld(1, held, true);
      return true;
    }
    if (this.#readBack === 0 || !isRecord(record)) return false;
    this.#readBack--;
    return true;
  }

  /**
   * How many of `count` settlements are owed: a transport that settles more records than
   * it accepted (settling one twice) has the excess ignored, and is told once; a count
   * that is not one is ignored, and told each time.
   */
  #unsettledOf(count: unknown): number {
    // A negative or fractional count would drive the counters below zero or off the integers.
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
      this.#reportSafely(`settled ${givenCount(count)} record(s): not a count of records; ignored`);
      return 0;
    }
    const owed = pendingOf(this);
    if (count <= owed) return count;
    if (!this.#oversettled) {
      this.#oversettled = true;
      this.#reportSafely(`settled ${count} record(s) with ${owed} outstanding; the excess is ignored`);
    }
    return Math.max(0, owed);
  }

  #oversettled = false;
  /** A countPossibleDuplicates that was no count (said once). */
  #badDuplicateCount = false;
  #overparked = false;

  /** The records are settled all the same: a listener's bug must not count them twice. */
  #listenerThrew(error: unknown): void {
    this.#reportSafely('a settlement listener threw; the records stay settled once', error);
  }

  #reportSafely(message: string, detail?: unknown): void {
    try {
      this.report(message, detail);
    } catch {
      // A throwing diagnostic listener has nobody left to tell.
    }
  }

  /** Is someone waiting in flush() right now? */
  protected flushRequested(): boolean {
    return this.#flushWaiters.length > 0;
  }

  /**
   * Is a close under way: someone waits for records to be settled or parked (a close, the
   * end of a script), or the stream was ended? Once such a wait is over the transport is
   * back to normal work (a script whose end was waited for may go on).
   */
  protected closeRequested(): boolean {
    return this.writableEnded || this.#flushWaiters.some((waiter) => waiter.parkedCounts);
  }

  get pending(): number {
    return this.#acceptedCount - this.#deliveredCount - this.#failedCount;
  }

  /** Resolves once every record accepted before the call is delivered or failed. */
  flush(): Promise<void> {
    const done = this.#waitFor(false);
    this.startFlush();
    return done;
  }

  /**
   * Resolves once every record accepted before the call is delivered, failed or parked on
   * disk: what close() waits for, so a destination that is down cannot hold it for ever.
   */
  prepareClose(): Promise<void> {
    const done = this.#waitFor(true);
    this.startClose();
    return done;
  }

  #waitFor(parkedCounts: boolean): Promise<void> {
    const target = this.#acceptedCount;
    if (this.#reached(target, this.#settledCount(parkedCounts)) || this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => this.#flushWaiters.push({ target, parkedCounts, resolve }));
  }

  /**
   * Are the records accepted up to number `target` settled, `settled` being the count? By
   * count, and for a transport that holds records by name, none of those still held: one that
   * settles by name out of order (B settled before A) reached the count with A pending.
   */
  #reached(target: number, settled: number): boolean {
    if (settled < target) return false;
    const held = this.#unsettled;
    // Every record accepted is settled by count: nothing held can still be pending.
    if (held === undefined || held.size === 0 || settled >= this.#acceptedCount) return true;
    return held.values().next().value! > target;
  }

  #settledCount(parkedCounts: boolean): number {
    return this.#deliveredCount + this.#failedCount + (parkedCounts ? this.#parkedCount : 0);
  }

  /** A short description when a transport is itself logged: never its internals. */
  toJSON(): { type: 'Transport'; transport: string; id: string } {
    return { type: 'Transport', transport: this.type, id: this.id };
  }

  /** Flushes, ends the stream and resolves when its resources are released. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.prepareClose();
    if (!this.writableEnded) this.end();
    await new Promise<void>((resolve) => {
      if (this.closed) resolve();
      else this.once('close', () => resolve());
    });
  }

  /** Never throws: a subclass whose extraStats() throws gets the base counters and the error. */
  stats(): TransportStats & Extra {
    const base: TransportStats = { id: this.id, type: this.type, ...countsOf(this)! };
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
    this.prepareClose()
      .then(() => this.closeResources())
      .then(
        () => callback(),
        (error: unknown) => callback(toError(error)),
      );
  }

  #wakeFlushWaiters(): void {
    const settled = this.#settledCount(false);
    const settledOrParked = this.#settledCount(true);
    const reached = (waiter: FlushWaiter): boolean =>
      this.#reached(waiter.target, waiter.parkedCounts ? settledOrParked : settled);
    // Settlements come per record on some transports: allocate only when someone wakes.
    if (!this.#flushWaiters.some(reached)) return;
    const waking = this.#flushWaiters.filter(reached);
    this.#flushWaiters = this.#flushWaiters.filter((waiter) => !reached(waiter));
    for (const waiter of waking) waiter.resolve();
  }
}

/** A flush() or close waiting for the records accepted up to number `target` (and parked ones, with `parkedCounts`). */
interface FlushWaiter {
  target: number;
  parkedCounts: boolean;
  resolve: () => void;
}

/**
 * The reason a record failed, as the router, the dead letter and listeners read it: an Error
 * whose message is a string. A plugin's whose message throws, is a Symbol or an object, or a
 * Proxy, threw out of the failure report (ending the process) or out of the router's count
 * (the record then counted delivered); it is replaced by one that says so.
 */
function toReason(value: unknown): Error {
  try {
    if (value instanceof Error && typeof value.message === 'string') return value;
  } catch {
    // A getter or a Proxy that throws: described below.
  }
  return new Error(messageOf(value));
}

/** A record at all (a plugin may pass a copy, `{ ...record }`, which has no json()). */
function isRecord(value: LogRecord): boolean {
  return typeof (value as Partial<LogRecord> | null)?.json === 'function';
}

/** Never throws: a plugin may throw or reject with anything, even a value whose toString throws. */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(messageOf(value));
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
