import { Queue } from '../util/queue.js';
import type { Spool } from './spool.js';
import type { LogRecord } from '../record/log-record.js';
import type { Transport, TransportStats } from '../plugin/transport.js';

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
  /** Records waiting in the spool file now, and ever written to it. */
  spooled: number;
  spooledTotal: number;
  backpressure: BackpressureStats;
}

export const DEFAULT_MAX_RECORDS = 10_000;
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

/**
 * The router's view of one transport: level, bounded queue, overflow policy, health
 * (a circuit breaker) and backpressure episodes. Records go straight to the transport while
 * it has fewer than `window` unsettled records; beyond that they wait here, which is what
 * lets drop-oldest drop the oldest waiting record.
 */
export class Target {
  readonly queue = new Queue<LogRecord>(64);
  queuedBytes = 0;
  /** Where `block` overflow goes when the router has a spool folder. */
  spool: Spool | undefined;
  /** Unsettled records the transport may hold before the router queues instead. */
  readonly window: number;

  healthy = true;
  consecutiveFailures = 0;
  openedAt = 0;
  probing = false;
  lastError: Error | undefined;

  dropped = 0;
  /** Records still inside the transport when close() gave up on it. */
  abandoned = 0;

  episodeStart: number | undefined;
  episodeDropped = 0;
  episodeTimer: NodeJS.Timeout | undefined;
  episodes = 0;
  backpressureTotalMs = 0;
  longestMs = 0;
  draining = false;

  constructor(
    readonly transport: Transport,
    readonly options: TargetOptions,
  ) {
    this.window = Math.max(1, Math.floor(options.maxRecords / 2));
  }

  /** One reason object for every drop: a flood of drops must not allocate an Error each. */
  get dropError(): Error {
    this.cachedDropError ??= new Error(`dropped: queue of ${this.id} full (${this.options.overflow})`);
    return this.cachedDropError;
  }

  private cachedDropError: Error | undefined;

  get id(): string {
    return this.transport.id;
  }

  /** True while the transport and the router's queue together hold the maximum. */
  full(extraBytes = 0): boolean {
    return (
      this.transport.pending + this.queue.length >= this.options.maxRecords ||
      (this.queue.length > 0 && this.queuedBytes + extraBytes > this.options.maxBytes)
    );
  }

  /** May a record go to the transport right now, without queueing? */
  canTakeDirectly(): boolean {
    return this.queue.length === 0 && this.transport.pending < this.window;
  }

  /** Has the target caught up: nothing queued or spooled, room in the transport? */
  caughtUp(): boolean {
    return this.queue.length === 0 && (this.spool === undefined || this.spool.empty) && this.transport.pending < this.window;
  }

  stats(now: number): TargetStats {
    const transport = this.transport.stats();
    const handled = transport.delivered + transport.failed + this.dropped;
    const current = this.episodeStart === undefined ? 0 : now - this.episodeStart;
    return {
      ...transport,
      dropped: this.dropped,
      abandoned: this.abandoned,
      healthy: this.healthy,
      lastError: this.lastError?.message,
      successRate: handled === 0 ? 1 : transport.delivered / handled,
      queueDepth: this.transport.pending + this.queue.length,
      queuedBytes: this.queuedBytes,
      spooled: this.spool?.count ?? 0,
      spooledTotal: this.spool?.written ?? 0,
      backpressure: {
        episodes: this.episodes,
        totalMs: this.backpressureTotalMs + current,
        longestMs: Math.max(this.longestMs, current),
        current: this.episodeStart !== undefined,
      },
    };
  }
}
