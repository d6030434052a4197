import type { LogRecord } from '../record/log-record.js';
import { describeThrown, messageOf } from '../util/thrown.js';
import { acceptRecord, assignId, attachListener, attachServices, failHeld, replayReports } from './protocol.js';
import { Transport, type TransportOptions, type TransportServices } from './transport.js';

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

  constructor(
    readonly inner: Transport,
    options: TransportOptions,
  ) {
    super(options);
    this.#innerUnnamed = !inner.id;
    if (!inner.id) inner[assignId](`${inner.type}(inner)`);
    inner[attachListener]({
      delivered: (count) => this.innerDelivered(count),
      failed: (records, reason) => this.innerFailed(records, reason),
      parked: (count) => this.innerParked(count),
      unparked: (count) => this.innerUnparked(count),
    });
    // What a plugin says or emits may not print (a Symbol, null): said all the same, never thrown.
    inner.on('diagnostic', (message: string, detail?: unknown) =>
      this.report(`${inner.id}: ${describeThrown(message)}`, detail),
    );
    inner.on('error', (error: Error) => this.report(`${inner.id} failed: ${messageOf(error)}`, error));
    inner[replayReports]();
  }

  /** Hands a record on to the inner transport. */
  protected forward(record: LogRecord): void {
    this.inner[acceptRecord](record);
  }

  /** What to do when the inner transport settles records. */
  protected abstract innerDelivered(count: number): void;
  protected abstract innerFailed(records: readonly LogRecord[], reason: Error): void;

  /**
   * The inner transport parked `count` of the records handed to it (still pending there, so
   * here), or `count` parked ones came back from disk and are about to settle.
   */
  protected innerParked(count: number): void {
    this.park(count);
  }

  protected innerUnparked(count: number): void {
    this.unpark(count);
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

  /** The inner transport's held records too (a plugin's with no giveUpSync), heard here as they fail. */
  override [failHeld](reason: Error): void {
    this.inner[failHeld]?.(reason);
  }

  /** As the inner transport has it: a plugin's that may lose a callback is given up on at a close. */
  override get waitsWithoutDeadline(): boolean {
    return this.inner.waitsWithoutDeadline;
  }

  protected override async closeResources(): Promise<void> {
    await this.inner.close();
  }
}
