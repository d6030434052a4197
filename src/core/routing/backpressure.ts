import type { EventEmitter } from 'node:events';
import type { FailureReporter } from './failure-reporter.js';
import type { LogRecord } from '../record/log-record.js';
import type { RouterEvents } from './router.js';
import type { Target } from './target.js';

/** The router, as the emitter backpressure reports through. */
export type BackpressureEvents = Pick<EventEmitter<RouterEvents>, 'emit' | 'listenerCount'> & {
  diagnose(message: string, detail?: unknown): void;
};

export interface BackpressureOptions {
  clock: () => number;
  /** An episode longer than this is reported as backpressureTimeout. */
  maxBackpressureMs: number;
  /** Logs the one warning record that summarises an episode's drops. */
  summariseDrops?: (target: string, dropped: number, durationMs: number) => void;
  /** Turns a spooled JSON line back into a record. */
  revive?: (line: string) => LogRecord;
}

/**
 * Bounded queues per target and what happens when one is full: records go straight to a
 * transport while it has room, wait in the target's queue beyond that, and past the bound
 * the overflow policy applies (block: write synchronously and keep; drop-newest/oldest:
 * drop, count, report). Episodes (a target falling behind until it catches up) are timed.
 */
export class Backpressure {
  private blockedTargets = 0;

  constructor(
    private readonly events: BackpressureEvents,
    private readonly failures: FailureReporter,
    private readonly options: BackpressureOptions,
  ) {}

  /** Would a producer have to wait: is some `block` target full? */
  get blocked(): boolean {
    return this.blockedTargets > 0;
  }

  /** Hands a record to a target, or queues or drops it when the target is behind. */
  offer(target: Target, record: LogRecord): void {
    if (target.spool !== undefined && !target.spool.empty) {
      // Once records are on disk, the rest follow them there, so order is kept.
      target.spool.append(record.json());
      this.drain(target, false);
      return;
    }
    if (target.canTakeDirectly()) {
      target.transport.accept(record);
      return;
    }
    if (target.spool !== undefined) {
      // A block target with a spool folder: what a synchronous write cannot make room
      // for waits on disk, not in memory.
      if (this.makeRoom(target)) {
        target.transport.accept(record);
        return;
      }
      this.startEpisode(target);
      target.spool.append(record.json());
      return;
    }
    const bytes = record.json().length;
    if (target.full(bytes)) {
      this.startEpisode(target);
      switch (target.options.overflow) {
        case 'drop-newest':
          this.drop(target, record);
          return;
        case 'drop-oldest': {
          const oldest = target.queue.shift();
          if (oldest === undefined) {
            this.drop(target, record);
            return;
          }
          target.queuedBytes -= oldest.json().length;
          this.drop(target, oldest);
          break;
        }
        case 'block':
          // What a synchronous write cannot make room for is still kept: block never
          // drops. Producers on log.stream() wait instead.
          if (this.makeRoom(target)) {
            target.transport.accept(record);
            return;
          }
          break;
      }
    } else {
      this.startEpisode(target);
    }
    target.queue.push(record);
    target.queuedBytes += bytes;
  }

  /** Asks the transport to write synchronously (file, console, buffered can); true if it then has room. */
  private makeRoom(target: Target): boolean {
    target.transport.flushSync();
    this.drain(target, false);
    return target.canTakeDirectly();
  }

  private drop(target: Target, record: LogRecord): void {
    target.dropped++;
    target.episodeDropped++;
    if (this.events.listenerCount('drop') > 0) this.events.emit('drop', { target: target.id, record, policy: target.options.overflow });
    this.failures.targetFailed(record, target.id, target.dropError);
  }

  /** Moves queued records into the transport while it has room (all of them when forced). */
  drain(target: Target, force: boolean): void {
    if (target.draining) return;
    target.draining = true;
    try {
      while (target.queue.length > 0 && (force || target.transport.pending < target.window)) {
        const record = target.queue.shift()!;
        target.queuedBytes -= record.json().length;
        target.transport.accept(record);
      }
    } finally {
      target.draining = false;
    }
    if (target.queue.length === 0) {
      target.queuedBytes = 0;
      this.replaySpool(target);
    }
    if (target.episodeStart !== undefined && target.caughtUp()) this.endEpisode(target);
  }

  /** Feeds spooled records back, oldest first, while the transport has room. */
  private replaySpool(target: Target): void {
    const spool = target.spool;
    const revive = this.options.revive;
    if (spool === undefined || spool.empty || revive === undefined || target.draining) return;
    target.draining = true;
    try {
      while (!spool.empty && target.transport.pending < target.window) {
        const lines = spool.read(target.window - target.transport.pending);
        if (lines.length === 0) break;
        for (const line of lines) target.transport.accept(revive(line));
      }
    } finally {
      target.draining = false;
    }
  }

  /** A target that starts with records left in its spool by an earlier process. */
  resume(target: Target): void {
    if (target.spool === undefined || target.spool.empty) return;
    this.startEpisode(target);
    setImmediate(() => this.drain(target, false));
  }

  async flushTarget(target: Target): Promise<void> {
    while (target.queue.length > 0 || (target.spool !== undefined && !target.spool.empty && this.options.revive !== undefined)) {
      const before = target.queue.length;
      this.drain(target, false);
      await target.transport.flush();
      if (target.queue.length >= before && target.transport.pending === 0) this.drain(target, true);
    }
    await target.transport.flush();
  }

  private startEpisode(target: Target): void {
    if (target.episodeStart !== undefined) return;
    target.episodeStart = this.options.clock();
    target.episodeDropped = 0;
    target.episodes++;
    if (target.options.overflow === 'block') {
      this.blockedTargets++;
    }
    if (this.events.listenerCount('backpressureStart') > 0) this.events.emit('backpressureStart', { target: target.id });
    target.episodeTimer = setTimeout(() => {
      target.episodeTimer = undefined;
      if (target.episodeStart === undefined) return;
      const durationMs = this.options.clock() - target.episodeStart;
      this.events.diagnose(`${target.id} has been under backpressure for ${durationMs} ms`);
      if (this.events.listenerCount('backpressureTimeout') > 0) this.events.emit('backpressureTimeout', { target: target.id, durationMs });
    }, this.options.maxBackpressureMs);
    target.episodeTimer.unref();
  }

  private endEpisode(target: Target): void {
    const durationMs = this.options.clock() - target.episodeStart!;
    target.episodeStart = undefined;
    if (target.episodeTimer) clearTimeout(target.episodeTimer);
    target.episodeTimer = undefined;
    target.backpressureTotalMs += durationMs;
    target.longestMs = Math.max(target.longestMs, durationMs);
    const dropped = target.episodeDropped;
    if (this.events.listenerCount('backpressureEnd') > 0) this.events.emit('backpressureEnd', { target: target.id, durationMs, dropped });
    if (target.options.overflow === 'block') {
      this.blockedTargets--;
      if (this.blockedTargets === 0) this.events.emit('unblocked');
    }
    if (dropped > 0) this.options.summariseDrops?.(target.id, dropped, durationMs);
  }

}
