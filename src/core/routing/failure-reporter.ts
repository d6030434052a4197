import { isDrop, isSkip } from '../io/settlement.js';
import { impl, type LogRecord, type LogRecordImpl } from '../record/log-record.js';
import type { DeadLetterFile } from './dead-letter.js';
import type { RecalledFate } from './record-holds.js';
import type { DeadLetterReason, DeliveryFailure, RoutingEvents, Strategy } from './events.js';

const MAX_PENDING_REPORTS = 1024;

/**
 * Applies the strategy to per-target failures and reports failed records. A record fails
 * as soon as enough of its targets failed that success is impossible (`all`: one, `any`:
 * every one, `majority`: half or more), so success never needs tracking. Reports go out on
 * the next tick, by which time synchronous targets have settled too, so one event lists
 * every target's reason; each is counted and written to the dead letter.
 */
export class FailureReporter {
  /**
   * Records that failed under the strategy, counted when decided (not when reported, a tick
   * later), so the counts add up at every moment; those whose every reason was a drop for
   * a bound are counted as `dropped` instead, and so are those every target left out.
   */
  failed = 0;
  dropped = 0;
  /** Of `dropped`, records every target they were sent to left out on purpose (see skipReason). */
  leftOut = 0;
  /** Failed records an earlier process left in a spool: reported and dead-lettered, outside `failed`. */
  adoptedFailed = 0;
  /** The process is ending: each failure is reported (and dead-lettered) as it is decided. */
  exiting = false;
  /** close() ran out of time and gives up what is held: reported once all of it is decided. */
  givingUp = false;
  /** Lines that reached the dead-letter file, and those that could not be written there. */
  deadLettered = 0;
  deadLetterFailed = 0;
  /**
   * With continueOnError false: a record has failed, so the router routes no more. Set when
   * the failure is decided, not when it is reported (the next tick): records logged
   * meanwhile must not reach the targets. `stopped` events and the diagnostic wait for the report.
   */
  stopped = false;
  private stopReported = false;
  private pending: LogRecord[] = [];
  private scheduled = false;

  constructor(
    readonly strategy: Strategy,
    private readonly continueOnError: boolean,
    private readonly deadLetter: DeadLetterFile | undefined,
    private readonly events: RoutingEvents,
  ) {
    deadLetter?.listen({
      delivered: (count) => {
        this.deadLettered += count;
      },
      failed: (records, reason) => {
        this.deadLetterFailed += records.length;
        if (this.unwritten !== undefined) {
          this.unwritten.count += records.length;
          this.unwritten.reason ??= reason;
        } else this.sayUnwritten(records.length, reason);
      },
    });
  }

  /**
   * Dead letters of one report that could not be written, said once: the file takes them in
   * chunks of 64 KiB, and a second line within the minute is held back, so stderr said 348 of
   * 500 at an exit (the rest as a repeat that the end of the process never tells).
   */
  private unwritten: { count: number; reason: Error | undefined } | undefined;

  private sayUnwritten(count: number, reason: Error): void {
    this.events.diagnose(
      `${count} record(s) could not be written to the dead-letter file ${this.deadLetter!.path}: ${reason.message}`,
      reason,
    );
  }

  /** One target failed one record. */
  targetFailed(failed: LogRecord, target: string, error: Error): void {
    const record = impl(failed);
    if (record.failure === undefined && record.sentTo === 0 && record.holdTag !== -1) this.recallFate(record);
    if (isSkip(error)) {
      this.leftOutAt(record, target);
      return;
    }
    record.failure ??= { reasons: [], reported: false };
    const failure = record.failure;
    // A transport that fails one record twice is one target's failure, not two targets'.
    if (failure.reasons.length > 0 && failure.reasons.some((r) => r.target === target)) return;
    failure.reasons.push({ target, error });
    const failures = failure.reasons.length + (failure.earlier ?? 0);
    if (!failure.reported && failures >= this.failuresThatFail(sentToNow(record))) {
      failure.reported = true;
      this.queue(record);
    }
    this.settledAt?.(record, target);
  }

  /**
   * A target left the record out on purpose (a validating target's skip): it is no longer one
   * of the record's targets, as a target skipped while unhealthy never was, and the rest decide
   * it. Every target left out: dropped, not reported (each said what it did with it).
   */
  private leftOutAt(record: LogRecordImpl, target: string): void {
    record.failure ??= { reasons: [], reported: false };
    const failure = record.failure;
    failure.leftOutBy ??= [];
    if (failure.leftOutBy.includes(target)) return;
    failure.leftOutBy.push(target);
    if (!failure.reported) {
      const sentTo = sentToNow(record);
      // Fewer targets: the failures so far may be enough now (`any`: the one left failed it).
      const failures = failure.reasons.length + (failure.earlier ?? 0);
      if (sentTo <= 0) {
        failure.reported = true;
        if (failure.adopted !== true) {
          this.dropped++;
          this.leftOut++;
        }
      } else if (failures > 0 && failures >= this.failuresThatFail(sentTo)) {
        failure.reported = true;
        this.queue(record);
      }
    }
    // After the decision, so the holds take the record out of `pending` in the same step.
    this.leftOutAtHolds?.(record, target);
  }

  /** Told of each record a target left out, after the strategy has decided what it could. */
  leftOutAtHolds: ((record: LogRecordImpl, target: string) => void) | undefined;

  /** Told of each record a target failed (once per target), after the strategy has decided on it. */
  settledAt: ((record: LogRecordImpl, target: string) => void) | undefined;

  /** What the router knows of a record from its tag alone (see RecordHolds.recall). */
  recall: ((record: LogRecordImpl) => RecalledFate | undefined) | undefined;

  /**
   * A record revived from a spool with its tag and not its fate (a spool keeps at most
   * MAX_KEPT_FATES in memory): its target count and earlier failures come from the router's
   * holds, and one decided already is not counted again (records past the 100,000th of a
   * replay refused were counted failed a second time: more failed than logged).
   */
  private recallFate(record: LogRecordImpl): void {
    const fate = this.recall?.(record);
    if (fate === undefined) return;
    // The holds count the targets that left it out: `sentTo` is those that did not.
    record.sentTo = fate.sentTo;
    record.failure = { reasons: [], reported: fate.decided, earlier: fate.failures };
  }

  /** The record failed outright (no target could take it). */
  recordFailed(failed: LogRecord, reasons: DeadLetterReason[]): void {
    const record = impl(failed);
    record.failure = { reasons, reported: true, quiet: record.failure?.quiet };
    this.queue(failed);
  }

  get hasDeadLetter(): boolean {
    return this.deadLetter !== undefined;
  }

  /** Writes a record to the dead letter directly (a transport that handles it itself). */
  deadLetterRecord(record: LogRecord, reasons: DeadLetterReason[]): boolean {
    if (!this.deadLetter) return false;
    this.deadLetter.write(record, reasons);
    return true;
  }

  /** Writes a record to the dead letter at once: whether its line reached the file. */
  deadLetterRecordNow(record: LogRecord, reasons: DeadLetterReason[]): boolean {
    return this.deadLetter?.writeNow(record, reasons) ?? false;
  }

  flushSync(): void {
    this.report();
    this.deadLetter?.flushSync();
  }

  close(): void {
    this.report();
    this.deadLetter?.close();
  }

  private failuresThatFail(sentTo: number): number {
    if (this.strategy === 'all') return 1;
    if (this.strategy === 'any') return Math.max(1, sentTo);
    return Math.max(1, Math.ceil(sentTo / 2));
  }

  private queue(record: LogRecord): void {
    const failure = impl(record).failure;
    const reasons = failure?.reasons ?? [];
    if (failure?.adopted === true) this.adoptedFailed++;
    else if (reasons.length > 0 && reasons.every((r) => isDrop(r.error))) this.dropped++;
    else this.failed++;
    if (!this.continueOnError) this.stopped = true;
    this.pending.push(record);
    // A synchronous burst of failures (a stalled target under a flood) is reported as it
    // goes, so the records waiting for their report cannot pile up in memory. Not at exit or
    // a close that gives up: what a transport gives up is held already and is reported once
    // it is all decided, as one report (a second within the minute would not reach stderr).
    if (this.pending.length >= MAX_PENDING_REPORTS && !this.exiting && !this.givingUp) {
      this.report();
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.report());
    }
  }

  /** Reports decided failures: count, event, dead letter; and stops if so configured. */
  report(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const records = this.pending;
    this.pending = [];
    const events = this.events;
    const listening = events.listenerCount('deliveryFailed') > 0;
    const listeningOld = events.listenerCount('error') > 0;
    // Every dead letter is written before any user code runs: a listener that exits the
    // process must not leave the rest of the batch unwritten (the exit path flushes the file).
    const failures = records.map(
      (record): DeliveryFailure => ({ record, reasons: [...(impl(record).failure?.reasons ?? [])] }),
    );
    this.unwritten = { count: 0, reason: undefined };
    try {
      for (const failure of failures) this.deadLetterRecord(failure.record, failure.reasons);
      // On disk before user code runs: a listener that exits the process (even from inside the
      // exit path, where Node then stops at once) must not take buffered dead letters with it.
      if (listening || listeningOld || this.exiting || events.listenerCount('diagnostic') > 0) {
        this.deadLetter?.flushSync();
      }
    } finally {
      const { count, reason } = this.unwritten;
      this.unwritten = undefined;
      if (reason !== undefined) this.sayUnwritten(count, reason);
    }
    events.reportingFailures(() => this.tell(failures, listening, listeningOld));
  }

  /** The user's part of a report: listeners, or a diagnostic; quiet records only stop delivery. */
  private tell(failures: DeliveryFailure[], listening: boolean, listeningOld: boolean): void {
    const events = this.events;
    let told = 0;
    let quiet = 0;
    for (const failure of failures) {
      if (impl(failure.record).failure?.quiet === true) quiet++;
      else {
        told++;
        if (listening) events.announce('deliveryFailed', failure);
        if (listeningOld) events.announce('error', failure);
      }
      if (!this.continueOnError && !this.stopReported) {
        this.stopReported = true;
        events.diagnose(`delivery stopped: a record failed (${describeReasons(failure.reasons)})`);
        if (events.listenerCount('stopped') > 0) events.announce('stopped', failure);
      }
    }
    if (quiet > 0 && !this.quietSaid) {
      this.quietSaid = true;
      events.diagnose(
        `${quiet} record(s) logged by a listener while failures were reported failed too; such failures ` +
          'are counted and dead-lettered but not reported to listeners (said once)',
      );
    }
    if (told > 0 && !listening && !listeningOld) {
      // Said as stats() counts them: a record lost only to bounds is dropped, not failed.
      const failed: DeliveryFailure[] = [];
      const drops: DeliveryFailure[] = [];
      for (const f of failures) {
        if (impl(f.record).failure?.quiet === true) continue;
        (f.reasons.length > 0 && f.reasons.every((r) => isDrop(r.error)) ? drops : failed).push(f);
      }
      if (failed.length > 0) events.diagnose(`${failed.length} record(s) failed${sampleOf(failed)}`);
      if (drops.length > 0) events.diagnose(`${drops.length} record(s) dropped${sampleOf(drops)}`);
    }
  }

  private quietSaid = false;
}

/** The targets a record is sent to, less those that left it out. */
function sentToNow(record: LogRecordImpl): number {
  const by = record.failure?.leftOutBy;
  return by === undefined ? record.sentTo : record.sentTo - by.length;
}

/** The first reason of the first failure, in brackets, as an example. */
function sampleOf(failures: readonly DeliveryFailure[]): string {
  const sample = failures[0]?.reasons[0];
  return sample ? ` (${sample.target}: ${sample.error.message})` : '';
}

function describeReasons(reasons: readonly DeadLetterReason[]): string {
  return reasons.map((r) => `${r.target}: ${r.error.message}`).join('; ');
}
