import { EventEmitter } from 'node:events';
import { describeThrown, messageOf } from '../util/thrown.js';
import { heldEvent } from '../util/exit-hold.js';
import { impl, type LogRecord, type LogRecordImpl, madeByLogger } from '../record/log-record.js';
import { assignId, attachListener, attachServices, failHeld, replayReports } from '../plugin/protocol.js';
import { pendingOf, type Transport } from '../plugin/transport.js';
import { Queue } from '../util/queue.js';
import { timerHolds, withTimeout } from '../util/timeout.js';
import { Backpressure } from './backpressure.js';
import type { DeadLetterFile } from './dead-letter.js';
import type { DeadLetterReason, RouterEvents, Strategy } from './events.js';
import { FailureReporter } from './failure-reporter.js';
import { Spool } from '../io/spool.js';
import { dropReason, saysNothingOfHealth } from '../io/settlement.js';
import {
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_RECORDS,
  DEFAULT_SPOOL_MAX_BYTES,
  Target,
  type OverflowPolicy,
  type TargetStats,
} from './target.js';
import type { MayWaitAsLine, ReviveWaiting } from './waiting-records.js';
import { MAX_HOLDING_TARGETS, RecordHolds } from './record-holds.js';
import { monotonicMs } from '../util/monotonic.js';

export interface RouterOptions {
  strategy?: Strategy;
  /** false: the first failed record stops delivery; later records go to the dead letter. */
  continueOnError?: boolean;
  deadLetter?: DeadLetterFile;
  /** Consecutive failures after which a target is skipped (circuit open). */
  failureThreshold?: number;
  /** Time after which an unhealthy target gets one probe record. */
  cooldownMs?: number;
  /** An episode longer than this is reported as backpressureTimeout. */
  maxBackpressureMs?: number;
  clock?: () => number;
  /** Logs the one warning record that summarises an episode's drops. */
  summariseDrops?: (target: string, dropped: number, durationMs: number) => void;
  /** Where a diagnostic goes when a listener for it threw (stderr, unless diagnostics are off). */
  diagnosticFallback?: (message: string) => void;
  /** Folder for `block` overflow on disk, one `<target id>.ndjson` per target. */
  spoolDir?: string;
  /** Each spool file is kept under this by dropping its oldest lines (default 100 MB). */
  spoolMaxBytes?: number;
  /** Turns a spooled JSON line back into a record (the logger provides it). */
  revive?: (line: string) => LogRecord;
  /**
   * Lets records that wait in a target's queue wait as their lines (see WaitingRecords):
   * which ones the line holds whole, and how to make one again (the logger provides it).
   */
  waitAsLine?: { may: MayWaitAsLine; revive: ReviveWaiting };
}

export interface AddTargetOptions {
  threshold?: number;
  maxRecords?: number;
  maxBytes?: number;
  overflow?: OverflowPolicy;
}

/** Where the records not yet settled are. */
export interface PendingDetail {
  /** In the router's queue, a transport's memory, or in flight. */
  inMemory: number;
  /** Parked on disk (a spool) for a later attempt or the next start. */
  spooled: number;
  /** Inside a transport that close() gave up on. */
  abandoned: number;
}

export interface RouterStats {
  /** Records routed to at least one target. */
  routed: number;
  /** Records settled as delivered under the strategy. */
  delivered: number;
  /** Records that failed under the strategy (each reported once), drops aside. */
  failed: number;
  /**
   * Records that failed only because a bound was full (a queue under drop-*, a spool), or that
   * every target they were sent to left out on purpose (a validating target's skip, log and
   * dead-letter).
   */
  dropped: number;
  /** Of `dropped`, the records every target they were sent to left out on purpose. */
  leftOut: number;
  /** Records neither delivered nor failed yet: `routed == delivered + failed + dropped + pending`. */
  pending: number;
  pendingDetail: PendingDetail;
  /** Deliveries and failures summed over targets (a record sent to two targets counts twice). */
  deliveries: number;
  targetFailures: number;
  /** Delivered records that were sent again after an unknown outcome, summed over targets. */
  possibleDuplicates: number;
  /** Failed records written to the dead-letter file, and those it could not take. */
  deadLettered: number;
  deadLetterFailed: number;
  /**
   * Records an earlier process left in a spool that failed here: reported and dead-lettered,
   * but outside `failed`, since this process never logged them.
   */
  adoptedFailed: number;
  strategy: Strategy;
  stopped: boolean;
  targets: TargetStats[];
}

/** One shared flush: what its callers wait for, and the callers with a timeout, who may leave. */
interface FlushRound {
  done: Promise<boolean>;
  waiters: Set<FlushWaiter>;
}
interface FlushWaiter {
  resolve(flushed: boolean): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout;
}

/** The id of a target added without one: its type and its position among the targets (`file#0`). */
export function defaultTargetId(type: string, position: number): string {
  return `${type}#${position}`;
}

const CLOSED = new Error('logger closed before delivery');
const CLOSE_TIMED_OUT = new Error('not delivered before close() timed out');
/** Why a transport's held records fail when the process ends (where it cannot park them). */
export const PROCESS_EXITED = new Error('process exited before the records were sent');
const STOPPED = new Error('delivery stopped after a failed record (continueOnError: false)');
const NO_TARGET = new Error('no healthy target');
/**
 * How deep records logged while routing may nest: a record logged while routing a record that
 * was itself logged while routing is depth 2. Real chains (a validation warning, a drop
 * summary, a listener that logs) stay at 1 or 2; a formatter, transport or listener that logs
 * for every record it handles would otherwise feed itself for ever inside one call, where not
 * even SIGTERM reaches the process.
 */
export const MAX_ECHO_DEPTH = 4;
const ECHO_DROPPED = dropReason(
  `dropped: logged while routing a record, ${MAX_ECHO_DEPTH} deep ` +
    '(a transport, formatter or listener logs for every record it handles)',
);

/** The least a stream is given without progress at a close (see settleTarget). */
const MIN_STREAM_STRETCH_MS = 1000;

/**
 * Fans records out to targets: level filter, health, bounded queues with an overflow policy.
 * Per record it only sets counters on the record itself; the FailureReporter turns target
 * failures into record failures under the strategy. A record logged while another is being
 * dispatched (a validation warning, a drop summary, a listener that logs) waits until that
 * dispatch is done, so the router is never re-entered.
 */
export class Router extends EventEmitter<RouterEvents> {
  private readonly targets: Target[] = [];
  private readonly selected: boolean[] = [];
  private readonly failures: FailureReporter;
  private readonly backpressure: Backpressure;
  private readonly options: RouterOptions;
  private readonly clock: () => number;
  private readonly deferred = new Queue<LogRecordImpl>();
  /** Each deferred record's echo depth (see MAX_ECHO_DEPTH), in the same order. */
  private readonly deferredDepths = new Queue<number>();
  /** Echo depth of the record being routed: 0 for one the application logged. */
  private echoDepth = 0;
  private echoesDropped = false;
  private dispatching = false;
  /** Why what is held fails once the process is ending (set by exitSync). */
  private exitReason: Error = PROCESS_EXITED;
  /** Failure listeners are running: what they log waits, marked quiet. */
  private reporting = false;
  private routed = 0;
  /**
   * The record being handed to its targets, and the first target not yet handed it: a
   * listener that ends the process from inside a target's handling must not keep it from the
   * targets after that one (exitSync hands it on).
   */
  private handing: LogRecordImpl | undefined;
  private handingFrom = 0;
  /** The lowest level any target accepts: records below it are never built. */
  minThreshold = Number.POSITIVE_INFINITY;
  private readonly waitAsLine: { may: MayWaitAsLine; revive: ReviveWaiting } | undefined;
  /**
   * With several targets, which of them still hold each record (see RecordHolds): undefined
   * with one target (its own count is exact), past MAX_HOLDING_TARGETS, when a target was
   * added after records were routed, or once more records were held than it can tag.
   */
  private holds: RecordHolds | undefined;
  private readonly targetIndex = new Map<string, number>();

  constructor(options: RouterOptions = {}) {
    super();
    this.options = options;
    // Monotonic: cooldowns and episodes must not stretch for an hour when the wall clock is set back.
    this.clock = options.clock ?? monotonicMs;
    const asLine = options.waitAsLine;
    // The router counts a record sent to several targets, or failed at one, by the record
    // itself, and with several targets keeps its tag on it: only one that went to the one
    // target there is, with nothing against it, may become its line and be made again.
    this.waitAsLine = asLine && {
      may: (record) =>
        impl(record).sentTo === 1 &&
        impl(record).holdTag === -1 &&
        impl(record).failure === undefined &&
        !madeByLogger(record) &&
        asLine.may(record),
      revive: asLine.revive,
    };
    this.failures = new FailureReporter(
      options.strategy ?? 'all',
      options.continueOnError ?? true,
      options.deadLetter,
      this,
    );
    this.failures.settledAt = (record, target) => this.failedAt(record, target);
    this.failures.leftOutAtHolds = (record, target) => this.leftOutAt(record, target);
    this.failures.recall = (record) => this.holds?.recall(record.holdTag);
    this.backpressure = new Backpressure(this, this.failures, {
      clock: this.clock,
      maxBackpressureMs: options.maxBackpressureMs ?? 10_000,
      // While the targets are being destroyed (a close that gave up), a record logged would go
      // to targets already destroyed, pending past the close: the summary is said instead.
      summariseDrops: (target, dropped, durationMs) => {
        if (!this.destroying) options.summariseDrops?.(target, dropped, durationMs);
        else this.diagnose(`dropped ${dropped} record(s) for ${target} while its queue was full`);
      },
      revive: options.revive,
      spoolMaxBytes: options.spoolMaxBytes ?? DEFAULT_SPOOL_MAX_BYTES,
    });
  }

  /**
   * A target's file in the router's spool folder, what it passed over said. `again`: a claim
   * after one that could not use the folder (see Target.claimSpoolAgain), which gives a
   * usable spool or nothing.
   */
  private claimSpool(dir: string, id: string, again = false): Spool | undefined {
    const spool = Spool.claim(dir, id);
    if (spool.problem !== undefined) {
      if (again) {
        spool.close();
        return undefined;
      }
      this.diagnose(`${id}: spool not used: ${spool.problem.message}`);
    } else if (again) this.diagnose(`${id}: spool ${spool.path} is used now`);
    for (const skipped of spool.skipped) this.diagnose(`${id}: spool file passed over: ${skipped.message}`);
    spool.onTrouble = (message) => this.diagnose(`${id}: ${message}`);
    return spool;
  }

  add(transport: Transport, options: AddTargetOptions = {}): void {
    if (!transport.id) transport[assignId](defaultTargetId(transport.type, this.targets.length));
    const overflow = options.overflow ?? 'block';
    const spoolDir = this.options.spoolDir;
    const spool = spoolDir !== undefined && overflow === 'block' ? this.claimSpool(spoolDir, transport.id) : undefined;
    const target = new Target(
      transport,
      {
        threshold: options.threshold ?? Number.NEGATIVE_INFINITY,
        maxRecords: options.maxRecords ?? DEFAULT_MAX_RECORDS,
        maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
        overflow,
      },
      {
        failureThreshold: this.options.failureThreshold ?? 5,
        cooldownMs: this.options.cooldownMs ?? 30_000,
        clock: this.clock,
      },
      spool,
      this.waitAsLine,
      spoolDir === undefined ? undefined : () => this.claimSpool(spoolDir, transport.id, true),
    );
    const index = this.targets.length;
    transport[attachListener]({
      delivered: (count, named) => this.targetDelivered(target, index, count, named),
      failed: (records, reason) => this.targetFailed(target, records, reason),
    });
    const revive = this.options.revive;
    // Duck-typed: a transport built against another copy of streamlog may predate it.
    if (revive !== undefined && typeof transport[attachServices] === 'function') {
      transport[attachServices]({
        revive,
        deadLetter: (record, reason) => this.deadLetterRecord(record, [{ target: transport.id, error: reason }]),
      });
    }
    // A transport whose stream fails outright is reported, never allowed to crash us. One that
    // destroyed itself (its connection died) settles nothing more: what it holds fails now,
    // where it stayed pending until the process ended, with nothing said.
    transport.on('error', (error: Error) => {
      this.diagnose(`transport ${transport.id} failed: ${messageOf(error)}`, error);
      if (transport.destroyed) this.ended(target, `${transport.id} was destroyed: ${messageOf(error)}`, error);
    });
    transport.on('close', () => this.ended(target, `${transport.id} was destroyed`));

    transport.on('diagnostic', (message: string, detail?: unknown) =>
      this.diagnose(`${transport.id}: ${describeThrown(message)}`, detail),
    );
    transport[replayReports]();
    this.backpressure.resume(target);
    this.targets.push(target);
    this.selected.push(false);
    this.targetIndex.set(transport.id, index);
    this.minThreshold = Math.min(this.minThreshold, target.options.threshold);
    const count = this.targets.length;
    // Records routed before this target came are in no one's holds: the counts stay the targets' own.
    this.holds =
      count > 1 && count <= MAX_HOLDING_TARGETS && this.routed === 0
        ? new RecordHolds(count, this.failures.strategy)
        : undefined;
    // Destroyed before it came (a wrapper whose inner one died while it waited to be given to a
    // logger): its 'close' was heard by no one, and it would take records it can never send.
    if (transport.destroyed) this.ended(target, `${transport.id} was destroyed before it was added`);
  }

  get transports(): Transport[] {
    return this.targets.map((t) => t.transport);
  }

  /** The dead-letter file's path, when there is one. */
  get deadLetterPath(): string | undefined {
    return this.options.deadLetter?.path;
  }

  dispatch(record: LogRecordImpl): void {
    if (this.dispatching) {
      this.defer(record);
      return;
    }
    this.dispatching = true;
    try {
      this.route(record);
      this.routeDeferred();
    } finally {
      this.dispatching = false;
      this.echoDepth = 0;
      this.handing = undefined;
    }
  }

  /** A record logged while another is routed waits its turn, unless it echoes too deep. */
  private defer(record: LogRecordImpl): void {
    if (this.reporting) record.failure = { reasons: [], reported: false, quiet: true };
    const depth = this.echoDepth + 1;
    if (depth > MAX_ECHO_DEPTH) {
      this.dropEcho(record);
      return;
    }
    this.deferred.push(record);
    this.deferredDepths.push(depth);
  }

  private routeDeferred(): void {
    while (this.deferred.length > 0) {
      this.echoDepth = this.deferredDepths.shift()!;
      this.route(this.deferred.shift()!);
    }
    this.echoDepth = 0;
  }

  /**
   * The process is ending: records logged while another was routed (a listener that logs, then
   * calls process.exit()) are routed now, as the routing they wait for will never resume.
   */
  private routeWaiting(): void {
    if (this.deferred.length === 0) return;
    const wasDispatching = this.dispatching;
    this.dispatching = true;
    try {
      this.routeDeferred();
    } finally {
      this.dispatching = wasDispatching;
    }
  }

  /** Counted as dropped and reported like any drop; said once as a diagnostic. */
  private dropEcho(record: LogRecordImpl): void {
    this.routed++;
    record.sentTo = 0;
    this.failures.recordFailed(record, [{ target: 'router', error: ECHO_DROPPED }]);
    if (this.echoesDropped) return;
    this.echoesDropped = true;
    this.diagnose(ECHO_DROPPED.message.replace('dropped: ', 'records dropped: '));
  }

  private route(record: LogRecordImpl): void {
    if (this.failures.stopped) {
      this.routed++;
      record.sentTo = 0;
      this.failures.recordFailed(record, [{ target: 'router', error: STOPPED }]);
      return;
    }
    const targets = this.targets;
    const selected = this.selected;
    let eligible = 0;
    let sent = 0;
    let mask = 0;
    // First decide where the record goes, so its target count is known before any
    // synchronous transport settles it.
    for (let i = 0; i < targets.length; i++) {
      const target = targets[i]!;
      selected[i] = false;
      if (record.level < target.options.threshold) continue;
      eligible++;
      if (!target.health.admits()) continue;
      selected[i] = true;
      mask |= 1 << i;
      sent++;
    }
    if (eligible === 0) return;
    this.routed++;
    record.sentTo = sent;
    if (sent === 0) {
      this.failures.recordFailed(record, [{ target: 'router', error: NO_TARGET }]);
      return;
    }
    const holds = this.holds;
    if (holds !== undefined) {
      const tag = holds.open(mask >>> 0, sent);
      if (tag !== -1) record.holdTag = tag;
      else this.stopHolding();
    }
    this.handing = record;
    for (let i = 0; i < targets.length; i++) {
      if (!selected[i]) continue;
      this.handingFrom = i + 1;
      this.backpressure.offer(targets[i]!, record);
    }
    this.handing = undefined;
  }

  /** More records are held than RecordHolds can tag: counted as the target furthest behind holds. */
  private stopHolding(): void {
    this.holds = undefined;
    this.diagnose(
      'too many records held at once by several targets: from now on, pending is what the ' +
        'target furthest behind holds',
    );
  }

  /** The process is ending inside a target's handling of a record: the targets after it get it too. */
  private handOnInterrupted(): void {
    const record = this.handing;
    if (record === undefined) return;
    this.handing = undefined;
    for (let i = this.handingFrom; i < this.targets.length; i++) {
      if (this.selected[i]) this.backpressure.offer(this.targets[i]!, record);
    }
  }

  /** Records logged while another was being routed, waiting their turn (logged, not yet routed). */
  get unrouted(): number {
    return this.deferred.length;
  }

  /** Would a producer have to wait: is some `block` target full? */
  get blocked(): boolean {
    return this.backpressure.blocked;
  }

  /**
   * An event held for later (see exit-hold) runs as it would have now: one held while failures
   * were reported runs inside such a report again, so what its listener logs is quiet (counted
   * and dead-lettered, not reported to it again), as it is when nothing is held.
   */
  private later(emit: () => void): () => void {
    return this.reporting ? () => this.reportingFailures(emit) : emit;
  }

  reportingFailures(run: () => void): void {
    if (this.reporting) {
      run();
      return;
    }
    const wasDispatching = this.dispatching;
    this.reporting = true;
    this.dispatching = true;
    try {
      run();
    } finally {
      this.reporting = false;
      this.dispatching = wasDispatching;
    }
    // Inside a dispatch, its loop routes them; else they are routed now.
    if (wasDispatching || this.deferred.length === 0) return;
    this.dispatching = true;
    try {
      this.routeDeferred();
    } finally {
      this.dispatching = false;
      this.echoDepth = 0;
      this.handing = undefined;
    }
  }

  markTargetHealthy(id: string): void {
    const target = this.find(id);
    if (target.health.markHealthy()) this.announceHealthy(target);
  }

  markTargetUnhealthy(id: string, reason = new Error('marked unhealthy by hand')): void {
    const target = this.find(id);
    if (target.health.markUnhealthy(reason)) this.announceUnhealthy(target, reason);
  }

  /** A dead-letter file is configured. */
  get hasDeadLetter(): boolean {
    return this.failures.hasDeadLetter;
  }

  /** Writes a record to the dead letter directly (a transport that handles it itself). */
  deadLetterRecord(record: LogRecord, reasons: DeadLetterReason[]): boolean {
    return this.failures.deadLetterRecord(record, reasons);
  }

  /** deadLetterRecord, written at once: whether the line reached the file. */
  deadLetterRecordNow(record: LogRecord, reasons: DeadLetterReason[]): boolean {
    return this.failures.deadLetterRecordNow(record, reasons);
  }

  /**
   * Flushes share rounds: the one under way, and the next, which every call made meanwhile
   * joins (it starts when the one under way ends, so it covers what they logged). A call whose
   * timeout passes leaves its round: against a destination down for hours, a `flush({ timeoutMs
   * })` a minute (a health check's) kept a wait of its own, about 2.7 KB, until the records settled.
   */
  private flushRound: FlushRound | undefined;
  private nextFlushRound: FlushRound | undefined;

  /** Resolves true once every record routed so far is settled, or false if `timeoutMs` passes first. */
  flush(timeoutMs?: number): Promise<boolean> {
    const round = this.joinFlush();
    if (!timerHolds(timeoutMs)) return round.done;
    return new Promise<boolean>((resolve, reject) => {
      // Not unref'd: code after `await log.flush({ timeoutMs })` runs even when nothing else is pending.
      const timer = setTimeout(() => {
        round.waiters.delete(waiter);
        resolve(false);
      }, timeoutMs);
      const waiter: FlushWaiter = { resolve, reject, timer };
      round.waiters.add(waiter);
    });
  }

  private joinFlush(): FlushRound {
    if (this.flushRound === undefined) {
      this.flushRound = this.startFlushRound(undefined);
      return this.flushRound;
    }
    this.nextFlushRound ??= this.startFlushRound(this.flushRound.done);
    return this.nextFlushRound;
  }

  private startFlushRound(after: Promise<boolean> | undefined): FlushRound {
    const round: FlushRound = { done: Promise.resolve(false), waiters: new Set() };
    const flushAll = (): Promise<boolean> => this.flushAll();
    const work = after === undefined ? flushAll() : after.then(flushAll, flushAll);
    const end = (settle: (waiter: FlushWaiter) => void): void => {
      if (this.flushRound === round) {
        this.flushRound = this.nextFlushRound;
        this.nextFlushRound = undefined;
      }
      for (const waiter of round.waiters) {
        clearTimeout(waiter.timer);
        settle(waiter);
      }
    };
    round.done = work.then(
      (flushed) => {
        end((waiter) => waiter.resolve(flushed));
        return flushed;
      },
      (error: unknown) => {
        end((waiter) => waiter.reject(error));
        throw error;
      },
    );
    // Its callers with a timeout may all have left: the rejection is theirs who still wait.
    round.done.catch(() => {});
    return round;
  }

  private async flushAll(): Promise<boolean> {
    await Promise.all(this.targets.map((t) => this.backpressure.flushTarget(t)));
    this.failures.flushSync();
    // A closed target (close() gave up on it, parked what it held, or left its spool for the
    // next start) ends the wait; what it still holds was not settled.
    return !this.targets.some((t) => (t.released || t.transport.closed) && this.stillHolds(t));
  }

  private stillHolds(target: Target): boolean {
    const held = target.held();
    return pendingOf(target.transport) > 0 || held.inMemory + held.spooled + held.abandoned > 0;
  }

  /**
   * The process is ending: everything held for a target (the router's queue too) goes into
   * its transport, which writes what it can synchronously and parks or fails the rest.
   */
  exitSync(reason: Error = PROCESS_EXITED): void {
    this.failures.exiting = true;
    this.exitReason = reason;
    this.handOnInterrupted();
    this.routeWaiting();
    for (const target of this.targets) {
      try {
        // Closed already: what a close({ timeoutMs }) abandoned in a plugin's transport may have
        // settled since, but now it never will; failed by name, not left pending past the end.
        if (target.released) {
          target.transport[failHeld]?.(reason);
          continue;
        }
        target.replayStopped = true;
        this.backpressure.drain(target, true);
      } catch (error) {
        this.diagnose(`exit: ${target.id} failed: ${String(error)}`, error);
      }
      this.giveUp(target, reason, true);
    }
    this.failures.flushSync();
  }

  /**
   * Resolves true once every record routed so far is delivered, failed or parked on disk
   * (what close and the end of a script wait for), false if `timeoutMs` passes first.
   */
  settleOrPark(timeoutMs?: number, cut?: Promise<false>, streamWaitMs?: number): Promise<boolean> {
    return withTimeout(
      Promise.all(this.targets.map((t) => this.settleTarget(t, streamWaitMs))).then(() => {
        this.failures.flushSync();
        return true;
      }),
      timeoutMs,
      cut,
    );
  }

  /**
   * Waits for a target to settle or park what it holds. One with no deadline of its own (a
   * stream handed in as a transport, a plugin's transport with no giveUpSync) is given
   * `streamWaitMs` (at least a second) at a time when that is set (a close without a
   * timeout): a stalled stream held such a close for ever.
   * Once a stretch passes in which it settled nothing, its records fail, counted and
   * dead-lettered, and the stream is destroyed; the other targets are waited for still.
   */
  private async settleTarget(target: Target, streamWaitMs: number | undefined): Promise<void> {
    const transport = target.transport;
    const settling = this.backpressure
      .flushTarget(target, true)
      // Duck-typed: a transport from another copy of streamlog may not know replayAnswered.
      .then(() => (typeof transport.replayAnswered === 'function' ? transport.replayAnswered() : undefined));
    if (streamWaitMs === undefined || !target.transport.waitsWithoutDeadline) return settling;
    // Given up after a stretch in which it settled nothing: a stream that is slow but moving
    // is waited for, however long the whole takes, and `exitTimeoutMs: 0` (a script's end
    // waits for nothing) does not fail a healthy stream's records before its first callback.
    const stretch = Math.max(streamWaitMs, MIN_STREAM_STRETCH_MS);
    let held = target.held().inMemory;
    for (;;) {
      if (await withTimeout(settling, stretch)) return;
      const now = target.held().inMemory;
      if (now >= held) break;
      held = now;
    }
    this.gaveUpStreams = true;
    this.failures.givingUp = true;
    try {
      const waiting = target.takeAllWaiting();
      for (const record of waiting) this.failures.targetFailed(record, target.id, CLOSED);
      const reason = new Error(`${target.id} settled none of its records for ${stretch} ms at close()`);
      this.giveUp(target, reason, false);
      target.destroyTransport();
    } finally {
      this.failures.givingUp = false;
    }
    this.diagnose(`${target.id} settled none of its records for ${stretch} ms at close(): they failed`);
    this.failures.report();
  }

  /** Does a transport that close() gave up on still hold records (abandoned)? */
  get abandonedAny(): boolean {
    return this.targets.some((t) => t.held().abandoned > 0);
  }

  /**
   * A transport that destroyed itself (its connection died) settles nothing more: what it holds
   * fails now, where it stayed pending until the process ended, with nothing said. Not one the
   * router ended (a close that gave up on it: what it abandoned may still settle).
   */
  private ended(target: Target, why: string, cause?: Error): void {
    if (target.released || target.destroyedByRouter || target.endedItself) return;
    if (!target.transport.destroyed || target.transport.writableFinished) return;
    target.endedItself = true;
    const reason = new Error(why, { cause });
    this.giveUp(target, reason, false);
    // Records routed later would wait in a stream that takes nothing more.
    this.markTargetUnhealthy(target.id, reason);
  }

  /**
   * Nothing more will be sent to `target`: it writes what it can (`flush`), parks or fails the
   * rest, and a plugin's held records fail by name. Each step on its own: a plugin's flushSync
   * or giveUpSync that throws must neither keep its records from failing (they stayed pending
   * past the end) nor throw out of a close (through a wrapper, it ended the process).
   */
  private giveUp(target: Target, reason: Error, flush: boolean): void {
    const transport = target.transport;
    if (flush) this.step(target, 'flushSync', () => transport.flushSync());
    this.step(target, 'giveUpSync', () => transport.giveUpSync?.(reason));
    this.step(target, 'failing what it holds', () => transport[failHeld]?.(reason));
  }

  private step(target: Target, what: string, run: () => void): void {
    try {
      run();
    } catch (error) {
      this.diagnose(`${target.id}: ${what} threw as it was given up: ${String(error)}`, error);
    }
  }

  /** Is anything held in memory that a flush could still deliver? */
  get holding(): boolean {
    return this.targets.some((t) => !t.released && t.sending);
  }

  flushSync(): void {
    const exiting = this.failures.exiting;
    if (exiting) this.routeWaiting();
    for (const target of this.targets) {
      try {
        this.backpressure.drain(target, true);
        if (!exiting) target.transport.flushSync();
      } catch (error) {
        this.diagnose(`flushSync failed on ${target.id}`, error);
      }
      // Logged once the process is ending (an exit listener): an asynchronous transport will
      // never send it, so it parks or fails it now, as it did what it held at the exit.
      if (exiting && !target.released) this.giveUp(target, this.exitReason, true);
      else if (exiting) this.step(target, 'flushSync', () => target.transport.flushSync());
    }
    this.failures.flushSync();
  }

  /**
   * Flushes, then ends every transport. With a timeout, targets still holding records when
   * it expires are given up: what waits in the router's queue fails ("closed before
   * delivery", so it reaches the dead letter), what sits inside the transport is counted
   * as abandoned, and the transport is destroyed so its descriptors close. Resolves true
   * when everything was delivered or settled in time.
   */
  async close(timeoutMs?: number, streamWaitMs?: number): Promise<boolean> {
    const start = monotonicMs();
    // What the router's spool holds stays there for the next start: read into a transport that
    // is closing, it would be held in memory after close() resolved.
    for (const target of this.targets) target.replayStopped = true;
    const cut = new Promise<false>((resolve) => {
      this.cutClose = () => resolve(false);
    });
    let settled: boolean;
    try {
      settled = await this.settleOrPark(timeoutMs, cut, timeoutMs === undefined ? streamWaitMs : undefined);
      if (settled) {
        // The timeout bounds the whole close: a stream whose end never finishes is given up too.
        const left = timeoutMs === undefined ? undefined : Math.max(0, timeoutMs - (monotonicMs() - start));
        settled = await withTimeout(Promise.all(this.targets.map((t) => this.closeTarget(t))), left, cut);
        // A transport closed (or destroyed by its plugin) with records it never settled will not
        // settle them now: they are given up below, counted and said, not left pending for good.
        if (settled && this.targets.some((t) => t.held().inMemory > 0)) settled = false;
      }
    } finally {
      this.cutClose = undefined;
      clearTimeout(this.cutTimer);
      this.cutTimer = undefined;
    }
    if (!settled) {
      this.failures.givingUp = true;
      const routedBefore = this.routed;
      try {
        // Every target gives up what it holds before any is destroyed: a target's giving up can
        // log (the warning that sums up its drops), and that record goes to the others, which
        // still write. Destroyed one by one, a target given up before it kept it in its queue
        // past the close, pending, never written (the process exited).
        for (const target of this.targets) this.giveUpHeld(target);
        if (this.routed !== routedBefore) for (const target of this.targets) this.writeLastHeld(target);
        this.destroying = true;
        for (const target of this.targets) this.abandon(target);
      } finally {
        this.failures.givingUp = false;
        this.destroying = false;
      }
    }
    for (const target of this.targets) target.release();
    this.failures.close();
    return settled && !this.gaveUpStreams;
  }

  /** A close without a timeout gave up on a stalled stream (see settleTarget): it resolves false. */
  private gaveUpStreams = false;
  /** A close that gave up is destroying the targets: nothing logged now could reach one. */
  private destroying = false;

  /** Gives up the close under way now (a later close's deadline passed); undefined when none is. */
  private cutClose: (() => void) | undefined;
  private cutTimer: NodeJS.Timeout | undefined;
  private cutAt = Number.POSITIVE_INFINITY;

  /**
   * A close asked again, with a timeout, while one is under way (a framework's close() with
   * none, then the service's close(5000)): the close under way gives up by then, at the latest.
   */
  limitClose(timeoutMs: number | undefined): void {
    const cut = this.cutClose;
    if (cut === undefined || !timerHolds(timeoutMs)) return;
    // The earliest deadline asked for stands.
    const at = monotonicMs() + timeoutMs;
    if (this.cutTimer !== undefined && this.cutAt <= at) return;
    clearTimeout(this.cutTimer);
    this.cutAt = at;
    this.cutTimer = setTimeout(cut, timeoutMs);
  }

  /** A transport's close that rejects is reported: the others still close. */
  private async closeTarget(target: Target): Promise<void> {
    try {
      await target.transport.close();
    } catch (error) {
      this.diagnose(`${target.id} failed to close: ${String(error)}`, error);
    }
  }

  /** Records failed from targets' queues by the close that gave up, by target, said with what was abandoned. */
  private readonly queuedFailed = new Map<Target, number>();

  private failQueued(target: Target): void {
    const waiting = target.takeAllWaiting();
    this.queuedFailed.set(target, (this.queuedFailed.get(target) ?? 0) + waiting.length);
    for (const record of waiting) this.failures.targetFailed(record, target.id, CLOSED);
  }

  private giveUpHeld(target: Target): void {
    this.failQueued(target);
    target.giveUpHeld(CLOSE_TIMED_OUT, (error) =>
      this.diagnose(`${target.id}: giveUpSync threw as it was given up: ${String(error)}`, error),
    );
  }

  /** What reached a target as the others gave up: written now where the target writes at once, else given up too. */
  private writeLastHeld(target: Target): void {
    if (target.inTransport === 0 && target.waiting === 0) return;
    this.step(target, 'flushSync', () => {
      this.backpressure.drain(target, true);
      target.transport.flushSync();
    });
    this.giveUpHeld(target);
  }

  private abandon(target: Target): void {
    // What was logged since it gave up (another's drop summary) and waits in its queue.
    this.failQueued(target);
    const failed = this.queuedFailed.get(target) ?? 0;
    this.queuedFailed.delete(target);
    const abandoned = target.abandon();
    if (abandoned > 0 || failed > 0) {
      this.diagnose(
        `${target.id} did not settle in time: ${failed} queued record(s) failed, ` +
          `${abandoned} in the transport abandoned`,
      );
    }
  }

  stats(): RouterStats {
    const now = this.clock();
    const targets = this.targets.map((t) => t.stats(now));
    const { failed, dropped } = this.failures;
    const { pending, pendingDetail } = this.pendingRecords(this.routed - failed - dropped);
    return {
      routed: this.routed,
      delivered: this.routed - failed - dropped - pending,
      failed,
      dropped,
      leftOut: this.failures.leftOut,
      pending,
      pendingDetail,
      deliveries: targets.reduce((sum, t) => sum + t.delivered, 0),
      targetFailures: targets.reduce((sum, t) => sum + t.failed, 0),
      possibleDuplicates: targets.reduce((sum, t) => sum + (t.possibleDuplicates ?? 0), 0),
      deadLettered: this.failures.deadLettered,
      deadLetterFailed: this.failures.deadLetterFailed,
      adoptedFailed: this.failures.adoptedFailed,
      strategy: this.failures.strategy,
      stopped: this.failures.stopped,
      targets,
    };
  }

  /**
   * Records not yet settled, of `open` (those neither failed nor dropped). With several
   * targets, those some target still holds and no settlement has decided (see RecordHolds);
   * with one, or past MAX_HOLDING_TARGETS, what the target furthest behind holds (exact with
   * one target).
   */
  pendingRecords(open: number, unrouted = 0): { pending: number; pendingDetail: PendingDetail } {
    let detail: PendingDetail = { inMemory: 0, spooled: 0, abandoned: 0 };
    const all: PendingDetail = { inMemory: 0, spooled: 0, abandoned: 0 };
    let most = 0;
    for (const target of this.targets) {
      const held = target.held();
      all.inMemory += held.inMemory;
      all.spooled += held.spooled;
      all.abandoned += held.abandoned;
      const total = held.inMemory + held.spooled + held.abandoned;
      if (total > most) {
        most = total;
        detail = held;
      }
    }
    const holds = this.holds;
    let count = most;
    if (holds !== undefined) {
      count = holds.pending;
      // The targets hold different records: where the rest are is told by the other targets'
      // counts (a record two targets hold in different places is said in one of them).
      if (count > most) detail = withMore(detail, all, count - most);
    }
    // Records logged while another was routed wait their turn: no target holds them yet.
    if (unrouted > 0) {
      count += unrouted;
      detail = { ...detail, inMemory: detail.inMemory + unrouted };
    }
    const pending = Math.max(0, Math.min(open, count));
    // Records a target holds may be decided already (failed elsewhere under `all`): the
    // detail says where the pending ones are, so it sums to `pending`.
    return { pending, pendingDetail: cutTo(detail, pending) };
  }

  diagnose(message: string, detail?: unknown): void {
    if (this.listenerCount('diagnostic') === 0) return;
    if (heldEvent(this.later(() => this.diagnose(message, detail)))) return;
    // Each listener on its own: one that throws (a metrics client not connected yet) took the
    // others' turn, and took stderr's place, so every failure report went unsaid.
    let threw: { error: unknown } | undefined;
    // rawListeners: a `once` listener's wrapper, which takes it off as it is called.
    for (const listener of this.rawListeners('diagnostic')) {
      try {
        (listener as (message: string, detail?: unknown) => void).call(this, message, detail);
      } catch (error) {
        threw ??= { error };
      }
    }
    if (threw === undefined) return;
    try {
      this.options.diagnosticFallback?.(`${message} (a diagnostic listener threw: ${describeThrown(threw.error)})`);
    } catch {
      // The last resort failed too: nobody is left to tell.
    }
  }

  /**
   * Emits one of the router's events. A listener that throws is the application's bug: it
   * is diagnosed, and the record being routed or reported, and the process, go on.
   */
  announce<K extends keyof RouterEvents>(event: K, ...args: RouterEvents[K]): void {
    if (heldEvent(this.later(() => this.announce(event, ...args)))) return;
    try {
      (this.emit as (name: K, ...rest: RouterEvents[K]) => boolean)(event, ...args);
    } catch (error) {
      this.diagnose(`a ${event} listener threw: ${String(error)}`, error);
    }
  }

  private targetDelivered(target: Target, index: number, count: number, named?: readonly LogRecord[]): void {
    const own = target.settled(count);
    const holds = this.holds;
    if (holds !== undefined) {
      if (named === undefined) holds.deliveredOldest(index, own);
      else for (const record of named) this.deliveredNamed(holds, index, impl(record));
    }
    if (target.health.succeeded()) this.announceHealthy(target);
    if (target.behind) this.backpressure.drain(target, false);
  }

  private deliveredNamed(holds: RecordHolds, index: number, record: LogRecordImpl): void {
    if (record.failure?.adopted !== true) holds.settledNamed(index, record.holdTag, true, false);
  }

  /** A target failed a record (the strategy has decided on it): it no longer holds it. */
  private failedAt(record: LogRecordImpl, target: string): void {
    const holds = this.holds;
    if (holds === undefined || record.failure?.adopted === true) return;
    const index = this.targetIndex.get(target);
    if (index !== undefined) holds.settledNamed(index, record.holdTag, false, record.failure?.reported === true);
  }

  /** A target left a record out: the holds no longer wait for it there, nor count it among its targets. */
  private leftOutAt(record: LogRecordImpl, target: string): void {
    const holds = this.holds;
    if (holds === undefined || record.failure?.adopted === true) return;
    const index = this.targetIndex.get(target);
    if (index !== undefined) holds.leftOut(index, record.holdTag, record.failure?.reported === true);
  }

  private targetFailed(target: Target, records: readonly LogRecord[], reason: Error): void {
    target.settled(records.length);
    // A drop for a bound says nothing about the destination's health, nor does a record
    // refused for what it holds, nor one part's failure, nor a record given up because the
    // process is ending or close() ran out of time.
    const givenUp = this.failures.exiting || this.failures.givingUp;
    const opened = !saysNothingOfHealth(reason) && !givenUp && target.health.failed(records.length, reason);
    for (const record of records) this.failures.targetFailed(impl(record), target.id, reason);
    // Announced once the records are counted: a listener reading stats() must not see them as delivered.
    if (opened) this.announceUnhealthy(target, reason);
    // The process is ending: decided failures are dead-lettered now, all of them before any
    // user listener runs (one that exits again ends the process at once).
    if (this.failures.exiting) this.failures.report();
    if (target.behind) this.backpressure.drain(target, false);
  }

  private announceUnhealthy(target: Target, reason: Error | undefined): void {
    if (this.listenerCount('targetUnhealthy') > 0)
      this.announce('targetUnhealthy', { target: target.id, error: reason });
    // Failures count records (a refused batch of ten is ten); none when it was marked by hand or ended itself.
    const failures = target.health.failures;
    const why = failures > 0 ? ` after ${failures} failed record(s) in a row` : reason ? `: ${messageOf(reason)}` : '';
    this.diagnose(`${target.id} marked unhealthy${why}`);
  }

  private announceHealthy(target: Target): void {
    if (this.listenerCount('targetHealthy') > 0) this.announce('targetHealthy', { target: target.id });
  }

  private find(id: string): Target {
    const target = this.targets.find((t) => t.id === id);
    if (!target) throw new RangeError(`no target "${id}" (targets: ${this.targets.map((t) => t.id).join(', ')})`);
    return target;
  }
}

/** `detail` with `extra` more records, taken in order from what `all` holds beyond it. */
function withMore(detail: PendingDetail, all: PendingDetail, extra: number): PendingDetail {
  const inMemory = Math.min(extra, Math.max(0, all.inMemory - detail.inMemory));
  extra -= inMemory;
  const spooled = Math.min(extra, Math.max(0, all.spooled - detail.spooled));
  extra -= spooled;
  return {
    inMemory: detail.inMemory + inMemory,
    spooled: detail.spooled + spooled,
    abandoned: detail.abandoned + extra,
  };
}

/** `detail` cut down to `total` records: from memory first, then the spools, then the abandoned. */
function cutTo(detail: PendingDetail, total: number): PendingDetail {
  let over = detail.inMemory + detail.spooled + detail.abandoned - total;
  if (over <= 0) return detail;
  const inMemory = Math.min(over, detail.inMemory);
  over -= inMemory;
  const spooled = Math.min(over, detail.spooled);
  over -= spooled;
  return {
    inMemory: detail.inMemory - inMemory,
    spooled: detail.spooled - spooled,
    abandoned: detail.abandoned - over,
  };
}
