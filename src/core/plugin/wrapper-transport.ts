import type { LogRecord } from '../record/log-record.js';
import { describeThrown, messageOf } from '../util/thrown.js';
import {
  acceptRecord,
  assignId,
  attachListener,
  attachServices,
  failHeld,
  holdInstead,
  replayReports,
} from './protocol.js';
import {
  endUnder,
  isTransport,
  keepsHeldOf,
  parkedOf,
  Transport,
  type TransportOptions,
  type TransportServices,
} from './transport.js';
import { isDestination, toTransport } from './adapters.js';
import type { WriteOnlyDestination } from './write-only.js';
import type { Writable } from 'node:stream';

/** What a wrapper may wrap: a Transport, or anything a logger takes as an entry. */
export type InnerTarget = Transport | Writable | WriteOnlyDestination;

function describeKind(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

/**
 * Base of transports that hand records on to an inner transport (buffered, validating):
 * owns the inner one (closes it, forwards its diagnostics), hears its settlements, and lends
 * it what the logger lends the wrapper (so an inner http target's spool is opened). What the
 * inner one parks on disk counts as parked here too: still pending, and a close waits for
 * it no more than for a direct target's.
 */
export abstract class WrapperTransport<Extra extends object = object> extends Transport<Extra> {
  /** The inner transport had no id of its own: it is named after this one once that is known. */
  readonly #innerUnnamed: boolean;
  /**
   * For a plugin's own wrapper (its records kept by name): what it forwarded and the inner one
   * has not settled, in the order forwarded. The inner transport settles by count, oldest
   * forwarded first, so these name what the wrapper's settleDelivered(count) then settles:
   * its oldest held may be one it never forwarded (lost, or still waiting).
   */
  #forwarded: Set<LogRecord> | undefined;
  /**
   * keepsHeld is asked at the first record forwarded, as the base class asks it at the first
   * record (a subclass's fields are set by then); until then nothing was forwarded.
   */
  #forwardingDecided = false;
  /**
   * Records a count of the inner transport's took from `#forwarded` while others stayed there:
   * the inner one may fail one of them by name later (it settles out of order), and then the
   * count meant one still forwarded. Made anew once a count takes all forwarded.
   */
  #guessed = new WeakSet<LogRecord>();
  #guessedSome = false;
  /**
   * Of a plugin's own wrapper: records the inner transport read back from its disk (unparked)
   * and has not settled yet. Its next settlements are theirs (it unparks just before settling
   * them), not of what is still forwarded.
   */
  #readBackLeft = 0;
  /** What an inner settlement settles while the subclass's innerDelivered runs: read back, then named. */
  #innerSettled: { back: number; named: readonly LogRecord[] } | undefined;

  readonly inner: Transport;

  /**
   * `inner`: a Transport, or anything a logger takes as an entry (a Writable, a SonicBoom,
   * an object with write()), adapted as the logger adapts it.
   */
  constructor(given: InnerTarget, options: TransportOptions) {
    super(options);
    // From code nothing checked it before: a Writable failed on an internal symbol.
    if (!isTransport(given) && !isDestination(given)) {
      throw new TypeError(`inner: expected a Transport or a Writable stream, got ${describeKind(given)}`);
    }
    const inner = toTransport(given);
    this.inner = inner;
    this.#innerUnnamed = !inner.id;
    if (!inner.id) inner[assignId](`${inner.type}(inner)`);
    inner[attachListener]({
      delivered: (count, records) => this.heardDelivered(count, records),
      failed: (records, reason) => {
        const forwarded = this.#forwarded;
        if (forwarded !== undefined) for (const record of records) this.heardFailed(record, forwarded);
        this.innerFailed(records, reason);
      },
      parked: (count, records) => this.innerParked(count, records),
      unparked: (count) => this.innerUnparked(count),
    });
    // What a plugin says or emits may not print (a Symbol, null): said all the same, never thrown.
    inner.on('diagnostic', (message: string, detail?: unknown) =>
      this.report(`${inner.id}: ${describeThrown(message)}`, detail),
    );
    inner.on('error', (error: Error) => {
      this.report(`${inner.id} failed: ${messageOf(error)}`, error);
      if (inner.destroyed) this.innerEnded(`${inner.id} was destroyed: ${messageOf(error)}`, error);
    });
    inner.on('close', () => this.innerEnded(`${inner.id} was destroyed`));
    inner[replayReports]();
  }

  /**
   * The inner transport destroyed itself (its connection died): it settles nothing more, so the
   * wrapper ends too, and whoever routes to it (the router) gives up on what both hold, as on
   * a transport of its own that did so. Not an inner one that finished (the wrapper's close).
   */
  private innerEnded(why: string, cause?: Error): void {
    const inner = this.inner;
    // Not once the wrapper is closing: an inner one that ends by destroy() in its own close is done.
    if (this.destroyed || this.writableEnded || !inner.destroyed || inner.writableFinished) return;
    // With no one listening yet (a wrapper made in code, not yet given to a logger), the why is
    // said as a diagnostic, as the wrapper ends without an error event (see endUnder).
    if (this.listenerCount('error') === 0) this.report(why, cause);
    endUnder(this, new Error(why, { cause }));
  }

  /** Hands a record on to the inner transport. */
  protected forward(record: LogRecord): void {
    if (!this.#forwardingDecided) {
      this.#forwardingDecided = true;
      if (keepsHeldOf(() => this.keepsHeld)) this.#forwarded = new Set();
    }
    this.#forwarded?.add(record);
    this.inner[acceptRecord](record);
  }

  /**
   * A record the inner transport failed leaves `#forwarded`; one a count took already (see
   * `#guessed`) is held again here in place of the oldest still forwarded, the one delivered.
   */
  private heardFailed(record: LogRecord, forwarded: Set<LogRecord>): void {
    if (forwarded.delete(record)) return;
    if (forwarded.size > 0 && this.#guessed.delete(record)) {
      const delivered = takeOldest(forwarded, 1)[0]!;
      this.guessed([delivered], forwarded);
      this[holdInstead](record, delivered);
    } else if (this.#readBackLeft > 0) this.#readBackLeft--;
  }

  /** `taken` by a count: kept in `#guessed` while others stay forwarded; with none, let go. */
  private guessed(taken: readonly LogRecord[], forwarded: Set<LogRecord>): void {
    if (forwarded.size === 0) {
      if (this.#guessedSome) {
        this.#guessed = new WeakSet();
        this.#guessedSome = false;
      }
      return;
    }
    for (const record of taken) this.#guessed.add(record);
    this.#guessedSome = true;
  }

  /** `records` when the inner transport named them; else read back first, then the oldest forwarded. */
  private heardDelivered(count: number, records?: readonly LogRecord[]): void {
    const forwarded = this.#forwarded;
    if (forwarded === undefined) {
      // A built-in wrapper: the names it heard go on to whoever hears it (a plugin's wrapper).
      this.#innerSettled = records?.length === count ? { back: 0, named: records } : undefined;
      try {
        this.innerDelivered(count);
      } finally {
        this.#innerSettled = undefined;
      }
      return;
    }
    let back: number;
    let named: readonly LogRecord[];
    if (records?.length === count) {
      named = records.filter((record) => forwarded.delete(record));
      back = count - named.length;
    } else {
      back = Math.min(count, this.#readBackLeft);
      named = takeOldest(forwarded, count - back);
      this.guessed(named, forwarded);
    }
    this.#readBackLeft = Math.max(0, this.#readBackLeft - back);
    this.#innerSettled = { back, named };
    try {
      this.innerDelivered(count);
    } finally {
      this.#innerSettled = undefined;
    }
  }

  /** A count the inner transport's settlement names (see `#forwarded`) settles those records. */
  protected override settleDelivered(delivered: number | readonly LogRecord[] = 1): void {
    const settled = this.#innerSettled;
    if (settled !== undefined && delivered === settled.back + settled.named.length) {
      this.#innerSettled = undefined;
      // The read-back ones by count (the base takes them from what it read back), then by name.
      if (settled.back > 0) super.settleDelivered(settled.back);
      if (settled.named.length > 0) super.settleDelivered(settled.named);
    } else super.settleDelivered(delivered);
  }

  /** What to do when the inner transport settles records. */
  protected abstract innerDelivered(count: number): void;
  protected abstract innerFailed(records: readonly LogRecord[], reason: Error): void;

  /**
   * The inner transport parked `count` of the records handed to it (still pending there, so
   * here): `records` when it named them, else the oldest it was handed.
   */
  protected innerParked(count: number, records?: readonly LogRecord[]): void {
    const forwarded = this.#forwarded;
    if (records?.length === count) {
      if (forwarded !== undefined) for (const record of records) forwarded.delete(record);
      this.park(records);
      return;
    }
    const named = forwarded === undefined ? undefined : takeOldest(forwarded, count);
    this.park(named?.length === count ? named : count);
  }

  protected innerUnparked(count: number): void {
    const parked = parkedOf(this);
    this.unpark(count);
    if (this.#forwarded !== undefined) this.#readBackLeft += parked - parkedOf(this);
  }

  /**
   * The inner transport is in the logger too: it gets the services (and claims its spool now).
   * An unnamed one is named after this one first: a spool named by its transport's id (a batch
   * transport's without `spool.name`) must not share its file with another wrapper's target.
   */
  protected override servicesAttached(services: TransportServices): void {
    if (this.#innerUnnamed && this.id) this.inner[assignId](`${this.inner.type}(in ${this.id})`);
    // Duck-typed: an inner transport built against another copy of streamlog may predate it.
    if (typeof this.inner[attachServices] === 'function') this.inner[attachServices](services);
  }

  /** A flush or a close of the wrapper is one of the inner transport too (a close parks what waits out a backoff). */
  protected override startFlush(): void {
    this.innerWait(false);
  }

  protected override startClose(): void {
    this.innerWait(true);
  }

  /**
   * Starts the inner transport's flush (or its part of a close) without waiting for it here:
   * the wrapper's own wait hears the settlements. A plugin's that throws or rejects is reported.
   */
  protected innerWait(close: boolean): void {
    const inner = this.inner;
    try {
      // Duck-typed: a transport from another copy of streamlog may not know prepareClose.
      const done = close && typeof inner.prepareClose === 'function' ? inner.prepareClose() : inner.flush();
      Promise.resolve(done).catch((error: unknown) => this.report(`${inner.id}: flush failed`, error));
    } catch (error) {
      this.report(`${inner.id}: flush failed`, error);
    }
  }

  override flushSync(): void {
    this.innerSync('flushSync', () => this.inner.flushSync());
  }

  /** What the inner transport holds is parked or failed by it, and heard here as it settles. */
  override giveUpSync(reason: Error): void {
    this.innerSync('giveUpSync', () => this.inner.giveUpSync(reason));
  }

  /**
   * Runs the inner transport's flushSync or giveUpSync; a plugin's that throws is reported: the
   * wrapper's own part of the exit (its buffer handed on, failed or parked) must still happen.
   */
  protected innerSync(what: string, run: () => void): void {
    try {
      run();
    } catch (error) {
      this.report(`${this.inner.id}: ${what} threw: ${String(error)}`, error);
    }
  }

  /**
   * The inner transport's held records too (a plugin's with no giveUpSync), heard here as they
   * fail; then what a plugin's own wrapper still holds itself (never forwarded, or lost).
   */
  override [failHeld](reason: Error): void {
    this.inner[failHeld]?.(reason);
    super[failHeld](reason);
  }

  /**
   * A plugin's own wrapper with no giveUpSync may hold records before it forwards them (a delay,
   * a batch of its own): kept by name as any plugin's are, so they fail at the end, where they
   * stayed pending (and a record it lost held a close for ever). Not the built-in wrappers.
   */
  protected override get keepsHeld(): boolean {
    return this.giveUpSync === WrapperTransport.prototype.giveUpSync && !this.settlesAllAtExit;
  }

  /** As the inner transport has it (a plugin's may lose a callback), or as a plugin's own wrapper. */
  override get waitsWithoutDeadline(): boolean {
    return this.inner.waitsWithoutDeadline || super.waitsWithoutDeadline;
  }

  override get replaying(): boolean {
    return this.inner.replaying === true;
  }

  override replayAnswered(): Promise<void> {
    // Duck-typed: an inner transport built against another copy of streamlog may predate it.
    return typeof this.inner.replayAnswered === 'function' ? this.inner.replayAnswered() : Promise.resolve();
  }

  protected override async closeResources(): Promise<void> {
    await this.inner.close();
  }
}

/** The `count` oldest of `records` (insertion order), taken out. */
function takeOldest(records: Set<LogRecord>, count: number): LogRecord[] {
  const taken: LogRecord[] = [];
  for (const record of records) {
    if (taken.length >= count) break;
    taken.push(record);
  }
  for (const record of taken) records.delete(record);
  return taken;
}
