import { carryFate, impl, type LogRecord } from '../record/log-record.js';
import type { RoutingEvents } from './events.js';
import type { FailureReporter } from './failure-reporter.js';
import type { Target } from './target.js';
import { parkedOf, pendingOf, toError } from '../plugin/transport.js';

const NO_PROGRESS_WAIT_MS = 10;

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export interface BackpressureOptions {
  clock: () => number;
  /** An episode longer than this is reported as backpressureTimeout. */
  maxBackpressureMs: number;
  /** Logs the one warning record that summarises an episode's drops. */
  summariseDrops?: (target: string, dropped: number, durationMs: number) => void;
  /** Turns a spooled JSON line back into a record. */
  revive?: (line: string) => LogRecord;
  /** Each target's spool file is kept under this by dropping its oldest lines. */
  spoolMaxBytes: number;
}

/**
 * The overflow policy and its episodes: records go straight to a transport while it has
 * room, wait in the target's queue beyond that, and past the bound the policy applies
 * (block: write synchronously and keep; drop-newest/oldest: drop, count, report). Episodes
 * (a target falling behind until it catches up) are timed and announced. The state itself
 * is the target's.
 */
export class Backpressure {
  private blockedTargets = 0;

  constructor(
    private readonly events: RoutingEvents,
    private readonly failures: FailureReporter,
    private readonly options: BackpressureOptions,
  ) {}

  /** Would a producer have to wait: is some `block` target full? */
  get blocked(): boolean {
    return this.blockedTargets > 0;
  }

  /** Hands a record to a target, or queues, spools or drops it when the target is behind. */
  offer(target: Target, record: LogRecord): void {
    // An episode that starts here is announced only once the record is where stats() can
    // see it (queued, spooled, or counted as dropped), so a listener reads counts that add up.
    if (this.place(target, record)) this.announceStart(target);
  }

  /** Places the record; true when that started an episode. */
  private place(target: Target, record: LogRecord): boolean {
    const spool = target.spool;
    if (spool !== undefined && !spool.empty) {
      // Once records are on disk, the rest follow them there, so order is kept.
      this.spool(target, record);
      this.drain(target, false);
      return false;
    }
    if (target.canTakeDirectly()) {
      target.hand(record);
      return false;
    }
    if (spool !== undefined) {
      // A block target with a spool folder: what a synchronous write cannot make room
      // for waits on disk, not in memory.
      if (this.makeRoomFor(target)) {
        target.hand(record);
        return false;
      }
      const started = this.startEpisode(target);
      this.spool(target, record);
      return started;
    }
    const bytes = record.json().length;
    if (!target.full(bytes)) {
      const started = this.startEpisode(target);
      target.enqueue(record, bytes);
      return started;
    }
    const started = this.startEpisode(target);
    switch (target.options.overflow) {
      case 'drop-newest':
        this.drop(target, record);
        return started;
      case 'drop-oldest': {
        const oldest = target.takeOldest();
        if (oldest === undefined) {
          this.drop(target, record);
          return started;
        }
        // The new record is queued before the oldest is counted as dropped, so it is never
        // seen as delivered meanwhile (by a drop listener reading stats()).
        target.enqueue(record, bytes);
        this.drop(target, oldest);
        return started;
      }
      case 'block':
        // What a synchronous write cannot make room for is still kept: block never
        // drops. Producers on log.stream() wait instead. A transport that cannot write
        // synchronously is not asked at every record: room its settlements make is taken
        // as they come (the router drains the queue then).
        if (target.writesSynchronously && this.makeRoomFor(target)) {
          target.hand(record);
          return started;
        }
        break;
    }
    target.enqueue(record, bytes);
    return started;
  }

  /**
   * Appends a record to the target's spool, first dropping its oldest lines past the bound;
   * one the disk will not take fails, counted and dead-lettered.
   */
  private spool(target: Target, record: LogRecord): void {
    try {
      target.claimSpoolAgain();
      const line = record.json();
      // Without revive (a bare router) nothing could be counted, so nothing is dropped.
      if (this.options.revive !== undefined) {
        const dropped = target.makeSpoolRoom(Buffer.byteLength(line), this.options.spoolMaxBytes);
        if (dropped.length > 0) this.droppedFromSpool(target, this.options.revive, dropped);
      }
      target.spool!.append(line);
      target.fates.push(record);
    } catch (error) {
      target.countSpoolFailure();
      this.failures.targetFailed(record, target.id, error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Lines the bound pushed out of the spool: an earlier process's are marked adopted, ours dropped. */
  private droppedFromSpool(
    target: Target,
    revive: (line: string) => LogRecord,
    lines: { line: string; adopted: boolean }[],
  ): void {
    const reason = target.spoolDropError;
    for (const { line, adopted } of lines) {
      const record = revive(line);
      if (adopted) impl(record).failure = { reasons: [], reported: false, adopted: true };
      else {
        target.countDrop();
        carryFate(record, target.fates.shift());
      }
      this.failures.targetFailed(record, target.id, reason);
    }
  }

  /**
   * makeRoom for a record being placed: while the transport writes (and its listeners, such as
   * a file's `progress`, run) the record is counted as held here, not yet anywhere else.
   */
  private makeRoomFor(target: Target): boolean {
    target.arriving++;
    try {
      return this.makeRoom(target);
    } finally {
      target.arriving--;
    }
  }

  /** Asks the transport to write synchronously (file, console, buffered can); true if it then has room. */
  private makeRoom(target: Target): boolean {
    try {
      target.transport.flushSync();
    } catch (error) {
      // A plugin's flushSync that throws frees no room; the record waits in the queue.
      this.events.diagnose(`${target.id}: flushSync threw: ${String(error)}`, error);
      return false;
    }
    this.drain(target, false);
    return target.canTakeDirectly();
  }

  private drop(target: Target, record: LogRecord): void {
    target.countDrop();
    // Counted before the event: a listener reading stats() must not see the record as delivered.
    this.failures.targetFailed(record, target.id, target.dropError);
    // As for failures: what a listener logs is quiet (counted and dead-lettered when it too is
    // dropped or fails, and not reported to listeners again), and a quiet record's drop is not
    // reported. Else a drop listener and a failure listener feed each other: one record made
    // about 180,000, each echo of one calling the other.
    if (this.events.listenerCount('drop') === 0 || impl(record).failure?.quiet === true) return;
    this.events.reportingFailures(() =>
      this.events.announce('drop', { target: target.id, record, policy: target.options.overflow }),
    );
  }

  /** Moves waiting records on while the transport has room (all of them when forced). */
  drain(target: Target, force: boolean): void {
    target.feed(force, this.options.revive);
    if (target.inEpisode && target.caughtUp()) this.endEpisode(target);
  }

  /** A target that starts with records left in its spool by an earlier process. */
  resume(target: Target): void {
    if (!target.spooling) return;
    if (this.startEpisode(target)) this.announceStart(target);
    setImmediate(() => this.drain(target, false));
  }

  /** Resolves once the target has settled everything; with `parkedCounts`, records parked on disk count too. */
  async flushTarget(target: Target, parkedCounts = false): Promise<void> {
    // For a close, lines in the router's spool are safe where they are: only a flush waits for them.
    const replays = this.options.revive !== undefined && !parkedCounts;
    while (!target.released && (target.waiting > 0 || (replays && target.spooling))) {
      const before = target.waiting + (target.spool?.count ?? 0);
      this.drain(target, false);
      await this.settle(target, parkedCounts);
      if (target.waiting >= before && target.inTransport === 0) this.drain(target, true);
      // No progress (a destroyed transport, a spool that cannot be read): wait for a timer
      // instead of spinning on microtasks, which would starve timers and signals.
      if (target.waiting + (target.spool?.count ?? 0) >= before) await pause(NO_PROGRESS_WAIT_MS);
    }
    await this.settle(target, parkedCounts);
  }

  private settle(target: Target, parkedCounts: boolean): Promise<void> {
    const transport = target.transport;
    try {
      // Duck-typed: a transport from another copy of streamlog may not know prepareClose.
      const done =
        parkedCounts && typeof transport.prepareClose === 'function' ? transport.prepareClose() : transport.flush();
      return Promise.resolve(done).catch((error: unknown) => this.settleThrew(target, parkedCounts, error));
    } catch (error) {
      return this.settleThrew(target, parkedCounts, error);
    }
  }

  /** Transports whose flush or prepareClose threw, told once each. */
  private readonly threw = new WeakSet<object>();

  /**
   * A plugin's flush() or prepareClose() that throws or rejects (its client's flush failed)
   * must not reject log.flush() or log.close(), nor the end of a script: it is diagnosed, and
   * the wait goes on by the transport's own counters, as long as the target is routed to.
   */
  private async settleThrew(target: Target, parkedCounts: boolean, error: unknown): Promise<void> {
    const transport = target.transport;
    if (!this.threw.has(transport)) {
      this.threw.add(transport);
      const method = parkedCounts ? 'prepareClose' : 'flush';
      this.events.diagnose(`${target.id}: ${method}() threw: ${toError(error).message}; waiting on its counts`, error);
    }
    const outstanding = (): number => pendingOf(transport) - (parkedCounts ? parkedOf(transport) : 0);
    while (!target.released && outstanding() > 0) await pause(NO_PROGRESS_WAIT_MS);
  }

  /** Opens an episode unless one is open: true when it did (announce it with announceStart). */
  private startEpisode(target: Target): boolean {
    // Every record queued during an episode asks: no timeout callback made for each of them.
    if (target.inEpisode) return false;
    const started = target.beginEpisode(
      this.options.clock,
      () => this.episodeTimedOut(target),
      this.options.maxBackpressureMs,
    );
    if (started && target.options.overflow === 'block') this.blockedTargets++;
    return started;
  }

  private announceStart(target: Target): void {
    if (this.events.listenerCount('backpressureStart') > 0)
      this.events.announce('backpressureStart', { target: target.id });
  }

  private episodeTimedOut(target: Target): void {
    const durationMs = target.episodeAge(this.options.clock());
    this.events.diagnose(`${target.id} has been under backpressure for ${Math.round(durationMs)} ms`);
    if (this.events.listenerCount('backpressureTimeout') > 0)
      this.events.announce('backpressureTimeout', { target: target.id, durationMs });
  }

  private endEpisode(target: Target): void {
    const { durationMs, dropped } = target.endEpisode(this.options.clock());
    if (this.events.listenerCount('backpressureEnd') > 0)
      this.events.announce('backpressureEnd', { target: target.id, durationMs, dropped });
    if (target.options.overflow === 'block') {
      this.blockedTargets--;
      if (this.blockedTargets === 0) this.events.announce('unblocked');
    }
    if (dropped > 0) this.options.summariseDrops?.(target.id, dropped, durationMs);
  }
}
