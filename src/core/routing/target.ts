import { carryFate, impl, type LogRecord } from '../record/log-record.js';
import { ParkedFates } from '../record/parked-fates.js';
import { acceptRecord } from '../plugin/protocol.js';
import { countsOf, parkedOf, pendingOf, Transport, type TransportStats } from '../plugin/transport.js';
import { Health, type HealthOptions } from './health.js';
import { type Spool, SPOOL_CLAIM_AGAIN_MS } from '../io/spool.js';
import { SpoolReads } from '../io/spool-reads.js';
import { dropReason } from '../io/settlement.js';
import { monotonicMs } from '../util/monotonic.js';
import { type MayWaitAsLine, type ReviveWaiting, WaitingRecords } from './waiting-records.js';

export type OverflowPolicy = 'block' | 'drop-newest' | 'drop-oldest';

export interface TargetOptions {
  /** Numeric level threshold; records below it never reach this target. */
  threshold: number;
  /** Records held for this target (in its transport plus the router's queue). */
  maxRecords: number;
  /** Bytes (JSON length) the router may queue for this target. */
  maxBytes: number;
  overflow: OverflowPolicy;
}

export interface BackpressureStats {
  episodes: number;
  totalMs: number;
  longestMs: number;
  current: boolean;
}

export interface TargetStats extends TransportStats {
  dropped: number;
  abandoned: number;
  healthy: boolean;
  lastError: string | undefined;
  successRate: number;
  queueDepth: number;
  queuedBytes: number;
  /** Records waiting in the spool file now, ever written to it, and refused by it (a full disk). */
  spooled: number;
  /** Of `spooled`, the lines an earlier process left that are not yet sent again. */
  spooledAdopted: number;
  spooledTotal: number;
  spoolFailed: number;
  backpressure: BackpressureStats;
}

/** An episode that just ended. */
export interface EpisodeEnd {
  durationMs: number;
  dropped: number;
}

export const DEFAULT_MAX_RECORDS = 10_000;
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
/** Bound of each target's file in the router's spool, as of an http transport's spool. */
export const DEFAULT_SPOOL_MAX_BYTES = 100 * 1024 * 1024;

/**
 * The router's view of one transport, and the only writer of its state: level, bounded
 * queue, spool, health (a circuit breaker) and backpressure episodes. Records go straight
 * to the transport while it has fewer than `window` unsettled records; beyond that they
 * wait here, which is what lets drop-oldest drop the oldest waiting record.
 */
export class Target {
  readonly health: Health;
  /** Unsettled records the transport may hold before the router queues instead. */
  readonly window: number;
  private readonly queue: WaitingRecords;
  private queuedBytes = 0;
  private draining = false;
  private dropped = 0;
  /** Records still inside the transport when close() gave up on it. */
  private abandoned = 0;
  private episodeStart: number | undefined;
  private episodeDropped = 0;
  private episodeTimer: NodeJS.Timeout | undefined;
  private episodes = 0;
  private backpressureTotalMs = 0;
  private longestMs = 0;
  private cachedDropError: Error | undefined;
  private cachedSpoolDropError: Error | undefined;
  private spoolFailed = 0;
  /** Spool lines handed to the transport and not yet settled, committed in order. */
  private reads: SpoolReads | undefined;
  /** No claim of the spool again before this (monotonic ms). */
  private claimAgainAt = 0;
  /** Lines an earlier process left in the spool and not yet read: not this process's records. */
  private adoptedLeft: number;
  /** This process's lines in the spool, oldest first: each record's fate when it went to several targets. */
  readonly fates = new ParkedFates();
  /** An earlier process's lines handed to the transport and not yet settled (they settle first). */
  private adoptedInTransport = 0;
  /** A record being placed while the transport makes room for it (held here meanwhile). */
  arriving = 0;
  /** close() has let go of it: nothing more is fed to it. */
  released = false;
  /**
   * The process is ending, or close() gave up on it: what waits in the router's spool stays
   * there for the next start instead of being read into a transport that can only fail it.
   */
  replayStopped = false;

  constructor(
    readonly transport: Transport,
    readonly options: TargetOptions,
    health: HealthOptions,
    /** Where `block` overflow goes when the router has a spool folder. */
    public spool: Spool | undefined,
    /** How records may wait in the queue as their lines (see WaitingRecords); as themselves without it. */
    asLine?: { may: MayWaitAsLine; revive: ReviveWaiting },
    /** Claims the spool again (see claimSpoolAgain): a usable one, or undefined. */
    private readonly claimSpool?: () => Spool | undefined,
  ) {
    this.queue = new WaitingRecords(asLine);
    this.writesSynchronously = transport.flushSync !== Transport.prototype.flushSync;
    this.window = Math.max(1, Math.floor(options.maxRecords / 2));
    this.health = new Health(health);
    this.reads = spool === undefined ? undefined : new SpoolReads(spool);
    this.adoptedLeft = spool?.count ?? 0;
  }

  /**
   * Can the transport write synchronously (flushSync of its own)? One that cannot (http,
   * syslog) frees no room when asked, so a full queue does not ask it at every record.
   */
  readonly writesSynchronously: boolean;

  get id(): string {
    return this.transport.id;
  }

  /** One reason object for every drop: a flood of drops must not allocate an Error each. */
  get dropError(): Error {
    this.cachedDropError ??= dropReason(`dropped: queue of ${this.id} full (${this.options.overflow})`);
    return this.cachedDropError;
  }

  get spoolDropError(): Error {
    this.cachedSpoolDropError ??= dropReason(`dropped: the router's spool of ${this.id} is over its maxBytes`);
    return this.cachedSpoolDropError;
  }

  /**
   * Keeps the spool under `maxBytes` with `bytes` more to come: its oldest unread lines are
   * taken out and returned, each saying whether an earlier process left it (read first).
   */
  makeSpoolRoom(bytes: number, maxBytes: number): { line: string; adopted: boolean }[] {
    const spool = this.spool;
    if (spool === undefined) return [];
    const lines = spool.makeRoom(bytes, maxBytes, (this.reads?.outstanding ?? 0) === 0);
    const adopted = Math.min(this.adoptedLeft, lines.length);
    this.adoptedLeft -= adopted;
    return lines.map((line, i) => ({ line, adopted: i < adopted }));
  }

  /**
   * A spool whose folder could not be used at the start (a full disk) is claimed again, at
   * most once a second, when a record is to go there: space often comes back, and until it
   * does every record spooled fails. The spool it replaces never held a line.
   */
  claimSpoolAgain(): void {
    const old = this.spool;
    if (old?.claimAgain !== true || this.claimSpool === undefined) return;
    const now = monotonicMs();
    if (now < this.claimAgainAt) return;
    this.claimAgainAt = now + SPOOL_CLAIM_AGAIN_MS;
    const spool = this.claimSpool();
    if (spool === undefined) return;
    old.close();
    this.spool = spool;
    this.reads = new SpoolReads(spool);
    this.adoptedLeft = spool.count;
  }

  /** Is anything waiting in the queue or spool, or is an episode open? */
  get behind(): boolean {
    return this.queue.length > 0 || this.episodeStart !== undefined;
  }

  /** Records waiting in the router's queue. */
  get waiting(): number {
    return this.queue.length;
  }

  get inEpisode(): boolean {
    return this.episodeStart !== undefined;
  }

  get spooling(): boolean {
    return this.spool !== undefined && !this.spool.empty;
  }

  /** Records the transport holds in memory: its unsettled ones, less those it parked on disk. */
  get inTransport(): number {
    return pendingOf(this.transport) - parkedOf(this.transport);
  }

  /**
   * This process's records still held for this target, by where they are: in the router's
   * queue or the transport's memory, on disk (the router's spool or the transport's), or
   * abandoned inside a transport that close() gave up on.
   */
  held(): { inMemory: number; spooled: number; abandoned: number } {
    const routerSpooled = (this.spool?.count ?? 0) - this.adoptedLeft;
    // An abandoned transport may settle some records after all: those are no longer held.
    const abandoned = Math.min(this.abandoned, Math.max(0, this.inTransport));
    return {
      inMemory: Math.max(0, this.inTransport - abandoned - this.adoptedInTransport) + this.queue.length + this.arriving,
      spooled: parkedOf(this.transport) + Math.max(0, routerSpooled),
      abandoned,
    };
  }

  /** True while the transport and the router's queue together hold the maximum. */
  full(extraBytes = 0): boolean {
    return (
      this.inTransport + this.queue.length >= this.options.maxRecords ||
      (this.queue.length > 0 && this.queuedBytes + extraBytes > this.options.maxBytes)
    );
  }

  /** May a record go to the transport right now, without queueing? */
  canTakeDirectly(): boolean {
    return this.queue.length === 0 && this.inTransport < this.window;
  }

  /**
   * Does the transport hold anything a wait could still see settled? Lines of a spool being
   * replayed count, though not this process's records: a script that returned with them in
   * flight ended under their request, and what the server took was failed (the router's
   * spool) or sent again at the next start (a transport's own spool, its read not committed).
   */
  get sending(): boolean {
    return this.held().inMemory > 0 || this.adoptedInTransport > 0 || this.transport.replaying === true;
  }

  /** Has the target caught up: nothing queued or spooled, room in the transport? */
  caughtUp(): boolean {
    return this.queue.length === 0 && !this.spooling && this.inTransport < this.window;
  }

  hand(record: LogRecord): void {
    this.transport[acceptRecord](record);
  }

  enqueue(record: LogRecord, bytes: number): void {
    this.queue.push(record);
    this.queuedBytes += bytes;
  }

  /** The oldest waiting record, taken out of the queue. */
  takeOldest(): LogRecord | undefined {
    const record = this.queue.shift();
    if (record !== undefined) this.queuedBytes -= record.json().length;
    return record;
  }

  /** Everything waiting, taken out of the queue (close gave up). */
  takeAllWaiting(): LogRecord[] {
    this.queuedBytes = 0;
    return this.queue.drain();
  }

  /**
   * The transport settled `count` records. While the spool is replaying, the transport holds
   * replayed lines (newer records follow them to disk), so they settle first, in order: a
   * read whose lines are all settled is committed in the spool. Returns how many of them
   * were this process's records (an earlier process's lines settle first).
   */
  settled(count: number): number {
    const adopted = Math.min(this.adoptedInTransport, count);
    this.adoptedInTransport -= adopted;
    this.reads?.settleOldest(count);
    return count - adopted;
  }

  countSpoolFailure(): void {
    this.spoolFailed++;
  }

  countDrop(): void {
    this.dropped++;
    this.episodeDropped++;
  }

  /**
   * Moves queued records into the transport while it has room (all of them when forced),
   * then spooled ones once the queue is empty. Settlements the transport makes meanwhile
   * cannot re-enter it.
   */
  feed(force: boolean, revive: ((line: string) => LogRecord) | undefined): void {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0 && (force || this.inTransport < this.window)) this.hand(this.takeOldest()!);
      if (this.queue.length === 0) {
        this.queuedBytes = 0;
        if (revive !== undefined && !this.replayStopped) this.replaySpool(revive);
      }
    } finally {
      this.draining = false;
    }
  }

  private replaySpool(revive: (line: string) => LogRecord): void {
    const reads = this.reads;
    while (reads !== undefined && !reads.spool.empty && this.inTransport < this.window) {
      const { lines } = reads.take(this.window - this.inTransport);
      if (lines.length === 0) break;
      // The spool is read oldest first, so an earlier process's lines come before ours.
      let adopted = Math.min(this.adoptedLeft, lines.length);
      this.adoptedLeft -= adopted;
      for (const line of lines) {
        const record = revive(line);
        if (adopted-- > 0) {
          impl(record).failure = { reasons: [], reported: false, adopted: true };
          this.adoptedInTransport++;
        } else carryFate(record, this.fates.shift());
        this.hand(record);
      }
    }
  }

  /**
   * Starts an episode unless one is open: true when it started. `onTimeout` runs once the
   * episode has lasted `timeoutMs` by `clock` (a timer that fires early is re-armed).
   */
  beginEpisode(clock: () => number, onTimeout: () => void, timeoutMs: number): boolean {
    if (this.episodeStart !== undefined) return false;
    const start = clock();
    this.episodeStart = start;
    this.episodeDropped = 0;
    this.episodes++;
    const arm = (delay: number): void => {
      this.episodeTimer = setTimeout(() => {
        this.episodeTimer = undefined;
        if (this.episodeStart !== start) return;
        const left = timeoutMs - (clock() - start);
        if (left > 0) arm(left);
        else onTimeout();
      }, delay);
      this.episodeTimer.unref();
    };
    arm(timeoutMs);
    return true;
  }

  episodeAge(now: number): number {
    return this.episodeStart === undefined ? 0 : now - this.episodeStart;
  }

  /** Ends the open episode and says how long it lasted and what it dropped. */
  endEpisode(now: number): EpisodeEnd {
    const durationMs = now - this.episodeStart!;
    this.episodeStart = undefined;
    this.stopTimer();
    this.backpressureTotalMs += durationMs;
    this.longestMs = Math.max(this.longestMs, durationMs);
    return { durationMs, dropped: this.episodeDropped };
  }

  /** close() gave up: the transport writes what it can at once, and parks or fails the rest where it can. */
  giveUpHeld(reason: Error, threw: (error: unknown) => void): void {
    this.replayStopped = true;
    try {
      this.transport.giveUpSync?.(reason);
    } catch (error) {
      // A plugin's that throws: what it holds is abandoned, and the close goes on.
      threw(error);
    }
  }

  /** Then what it still holds is counted as abandoned (it stays pending), and it is destroyed. */
  abandon(): number {
    this.abandoned = this.inTransport;
    this.destroyTransport();
    // A transport's destroy may settle what it held (fail it): those are not abandoned.
    return Math.min(this.abandoned, Math.max(0, this.inTransport));
  }

  /** The router's own destroy of its transport (a close that gave up): not the transport ending itself. */
  destroyedByRouter = false;
  /** The transport destroyed itself, and what it held was given up on (see Router.ended). */
  endedItself = false;

  destroyTransport(): void {
    this.destroyedByRouter = true;
    this.transport.destroy();
  }

  /** Releases timers and the spool (close). */
  release(): void {
    this.released = true;
    this.stopTimer();
    this.spool?.close();
  }

  /**
   * The transport's stats, its counts the base class's own: a plugin's stats() that throws or
   * gives no object made log.stats() throw (a health endpoint down with it), and one giving
   * other counts (`pending: "x"`) put them in the figures that must add up.
   */
  private transportStats(): TransportStats {
    let own: unknown;
    try {
      own = this.transport.stats();
    } catch (error) {
      own = { statsError: String(error) };
    }
    const extra = typeof own === 'object' && own !== null ? own : { statsError: `stats() gave ${String(own)}` };
    // Another installed copy's transport: its own stats() has its counts.
    const counts = countsOf(this.transport) ?? (extra as TransportStats);
    return { ...extra, id: this.id, type: this.transport.type, ...counts } as TransportStats;
  }

  private stopTimer(): void {
    if (this.episodeTimer) clearTimeout(this.episodeTimer);
    this.episodeTimer = undefined;
  }

  stats(now: number): TargetStats {
    const transport = this.transportStats();
    // Dropped by the router (its queue, its spool) or by the transport (its own spool's bound).
    const dropped = this.dropped + (transport.dropped ?? 0);
    const handled = transport.delivered + transport.failed + dropped;
    const current = this.episodeAge(now);
    return {
      ...transport,
      dropped,
      // Those it still holds: what it settled (or the process's end failed) since is counted there.
      abandoned: Math.min(this.abandoned, Math.max(0, this.inTransport)),
      healthy: this.health.healthy,
      lastError: this.health.lastError?.message,
      successRate: handled === 0 ? 1 : transport.delivered / handled,
      queueDepth: this.inTransport + this.queue.length,
      queuedBytes: this.queuedBytes,
      spooled: this.spool?.count ?? 0,
      spooledAdopted: this.adoptedLeft,
      spooledTotal: this.spool?.written ?? 0,
      spoolFailed: this.spoolFailed,
      backpressure: {
        episodes: this.episodes,
        totalMs: this.backpressureTotalMs + current,
        longestMs: Math.max(this.longestMs, current),
        current: this.episodeStart !== undefined,
      },
    };
  }
}
