import { EventEmitter } from 'node:events';
import type { DeadLetterFile, DeadLetterReason } from './dead-letter.js';
import { FailureReporter, type DeliveryFailure, type Strategy } from './failure-reporter.js';
import { withTimeout } from '../util/timeout.js';
import { Backpressure } from './backpressure.js';
import { Spool } from './spool.js';
import { join } from 'node:path';
import type { LogRecord } from '../record/log-record.js';
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_RECORDS, Target, type OverflowPolicy, type TargetStats } from './target.js';
import type { SettlementListener, Transport } from '../plugin/transport.js';

export type { DeliveryFailure, Strategy } from './failure-reporter.js';

export interface RouterEvents {
  error: [failure: DeliveryFailure];
  diagnostic: [message: string, detail?: unknown];
  targetUnhealthy: [event: { target: string; error: Error | undefined }];
  targetHealthy: [event: { target: string }];
  drop: [event: { target: string; record: LogRecord; policy: OverflowPolicy }];
  backpressureStart: [event: { target: string }];
  backpressureEnd: [event: { target: string; durationMs: number; dropped: number }];
  backpressureTimeout: [event: { target: string; durationMs: number }];
  /** Every block target has room again (producers waiting on log.stream() may go on). */
  unblocked: [];
  stopped: [failure: DeliveryFailure];
}

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
  /** Folder for `block` overflow on disk, one `<target id>.ndjson` per target. */
  spoolDir?: string;
  /** Turns a spooled JSON line back into a record (the logger provides it). */
  revive?: (line: string) => LogRecord;
}

export interface AddTargetOptions {
  threshold?: number;
  maxRecords?: number;
  maxBytes?: number;
  overflow?: OverflowPolicy;
}

export interface RouterStats {
  /** Records routed to at least one target. */
  routed: number;
  /** Records that failed under the strategy (each reported once). */
  failed: number;
  /** Deliveries and failures summed over targets. */
  delivered: number;
  targetFailures: number;
  dropped: number;
  deadLettered: number;
  strategy: Strategy;
  stopped: boolean;
  targets: TargetStats[];
}

const CLOSED = new Error('logger closed before delivery');
const STOPPED = new Error('delivery stopped after a failed record (continueOnError: false)');
const NO_TARGET = new Error('no healthy target');

/**
 * Fans records out to targets: level filter, health (a circuit breaker per target), bounded
 * queues with an overflow policy and measured backpressure episodes. Per record it only sets
 * counters on the record itself; the FailureReporter turns target failures into record
 * failures under the strategy.
 */
export class Router extends EventEmitter<RouterEvents> {
  private readonly targets: Target[] = [];
  private readonly selected: boolean[] = [];
  private readonly failures: FailureReporter;
  private readonly backpressure: Backpressure;
  private readonly failureThreshold: number;
  private readonly cooldownMs: number;
  private readonly clock: () => number;
  private routed = 0;
  /** The lowest level any target accepts: records below it are never built. */
  minThreshold = Number.POSITIVE_INFINITY;

  constructor(options: RouterOptions = {}) {
    super();
    this.failures = new FailureReporter(options.strategy ?? 'all', options.continueOnError ?? true, options.deadLetter, this);
    this.failureThreshold = options.failureThreshold ?? 5;
    this.cooldownMs = options.cooldownMs ?? 30_000;
    this.clock = options.clock ?? Date.now;
    this.backpressure = new Backpressure(this, this.failures, {
      clock: this.clock,
      maxBackpressureMs: options.maxBackpressureMs ?? 10_000,
      summariseDrops: options.summariseDrops,
      revive: options.revive,
    });
    this.spoolDir = options.spoolDir;
  }

  private readonly spoolDir: string | undefined;

  add(transport: Transport, options: AddTargetOptions = {}): void {
    if (!transport.id) transport.id = `${transport.type}#${this.targets.length}`;
    const target = new Target(transport, {
      threshold: options.threshold ?? Number.NEGATIVE_INFINITY,
      maxRecords: options.maxRecords ?? DEFAULT_MAX_RECORDS,
      maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
      overflow: options.overflow ?? 'block',
    });
    transport.attach(this.listenerFor(target));
    // A transport whose stream fails outright is reported, never allowed to crash us.
    transport.on('error', (error: Error) => this.diagnose(`transport ${transport.id} failed: ${error.message}`, error));
    transport.on('diagnostic', (message: string, detail?: unknown) => this.diagnose(`${transport.id}: ${message}`, detail));
    transport.replayReports();
    if (this.spoolDir !== undefined && target.options.overflow === 'block') {
      target.spool = new Spool(join(this.spoolDir, `${transport.id.replace(/[^\w.-]/g, '_')}.ndjson`));
      this.backpressure.resume(target);
    }
    this.targets.push(target);
    this.selected.push(false);
    this.minThreshold = Math.min(this.minThreshold, target.options.threshold);
  }

  get transports(): Transport[] {
    return this.targets.map((t) => t.transport);
  }

  dispatch(record: LogRecord): void {
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
    // First decide where the record goes, so its target count is known before any
    // synchronous transport settles it.
    for (let i = 0; i < targets.length; i++) {
      const target = targets[i]!;
      selected[i] = false;
      if (record.level < target.options.threshold) continue;
      eligible++;
      if (!target.healthy && !this.admitProbe(target, record.time)) continue;
      selected[i] = true;
      sent++;
    }
    if (eligible === 0) return;
    this.routed++;
    record.sentTo = sent;
    if (sent === 0) {
      this.failures.recordFailed(record, [{ target: 'router', error: NO_TARGET }]);
      return;
    }
    for (let i = 0; i < targets.length; i++) {
      if (selected[i]) this.backpressure.offer(targets[i]!, record);
    }
  }

  /** Would a producer have to wait: is some `block` target full? */
  get blocked(): boolean {
    return this.backpressure.blocked;
  }

  markTargetHealthy(id: string): void {
    const target = this.find(id);
    if (!target.healthy) this.restore(target);
    target.consecutiveFailures = 0;
  }

  markTargetUnhealthy(id: string, reason = new Error('marked unhealthy by hand')): void {
    const target = this.find(id);
    if (target.healthy) this.open(target, reason);
    else target.openedAt = this.clock();
  }

  /** Writes a record to the dead letter directly (a transport that handles it itself). */
  deadLetterRecord(record: LogRecord, reasons: DeadLetterReason[]): boolean {
    return this.failures.deadLetterRecord(record, reasons);
  }

  /** Resolves true once every record routed so far is settled, or false if `timeoutMs` passes first. */
  async flush(timeoutMs?: number): Promise<boolean> {
    if (timeoutMs !== undefined) return withTimeout(this.flush(), timeoutMs);
    await Promise.all(this.targets.map((t) => this.backpressure.flushTarget(t)));
    this.failures.flushSync();
    return true;
  }

  flushSync(): void {
    for (const target of this.targets) {
      try {
        this.backpressure.drain(target, true);
        target.transport.flushSync();
      } catch (error) {
        this.diagnose(`flushSync failed on ${target.id}`, error);
      }
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
  async close(timeoutMs?: number): Promise<boolean> {
    const settled = await withTimeout(this.flush(), timeoutMs);
    if (settled) {
      await Promise.all(this.targets.map((t) => t.transport.close()));
    } else {
      for (const target of this.targets) this.abandon(target);
    }
    for (const target of this.targets) {
      if (target.episodeTimer) clearTimeout(target.episodeTimer);
      target.spool?.close();
    }
    this.failures.close();
    return settled;
  }

  private abandon(target: Target): void {
    const waiting = target.queue.drain();
    target.queuedBytes = 0;
    for (const record of waiting) this.failures.targetFailed(record, target.id, CLOSED);
    target.abandoned = target.transport.pending;
    if (target.abandoned > 0 || waiting.length > 0) {
      this.diagnose(`${target.id} did not settle in time: ${waiting.length} queued record(s) failed, ${target.abandoned} in the transport abandoned`);
    }
    target.transport.destroy();
  }

  stats(): RouterStats {
    const now = this.clock();
    const targets = this.targets.map((t) => t.stats(now));
    return {
      routed: this.routed,
      failed: this.failures.failed,
      delivered: targets.reduce((sum, t) => sum + t.delivered, 0),
      targetFailures: targets.reduce((sum, t) => sum + t.failed, 0),
      dropped: targets.reduce((sum, t) => sum + t.dropped, 0),
      deadLettered: this.failures.deadLettered,
      strategy: this.failures.strategy,
      stopped: this.failures.stopped,
      targets,
    };
  }

  diagnose(message: string, detail?: unknown): void {
    if (this.listenerCount('diagnostic') > 0) this.emit('diagnostic', message, detail);
  }

  // --- delivery and backpressure -------------------------------------------------------

  // --- settlement, strategy and health ---------------------------------------------------

  private listenerFor(target: Target): SettlementListener {
    return {
      delivered: () => {
        target.consecutiveFailures = 0;
        if (!target.healthy) this.restore(target);
        if (target.queue.length > 0 || target.episodeStart !== undefined) this.backpressure.drain(target, false);
      },
      failed: (_transport, records, reason) => {
        target.lastError = reason;
        target.consecutiveFailures += records.length;
        if (target.healthy && target.consecutiveFailures >= this.failureThreshold) this.open(target, reason);
        else if (!target.healthy && target.probing) {
          target.probing = false;
          target.openedAt = this.clock();
        }
        for (const record of records) this.failures.targetFailed(record, target.id, reason);
        if (target.queue.length > 0 || target.episodeStart !== undefined) this.backpressure.drain(target, false);
      },
    };
  }

  private admitProbe(target: Target, now: number): boolean {
    if (target.probing || now - target.openedAt < this.cooldownMs) return false;
    target.probing = true;
    return true;
  }

  private open(target: Target, reason: Error | undefined): void {
    target.healthy = false;
    target.probing = false;
    target.openedAt = this.clock();
    if (this.listenerCount('targetUnhealthy') > 0) this.emit('targetUnhealthy', { target: target.id, error: reason });
    this.diagnose(`${target.id} marked unhealthy after ${target.consecutiveFailures} consecutive failure(s)`);
  }

  private restore(target: Target): void {
    target.healthy = true;
    target.probing = false;
    target.consecutiveFailures = 0;
    if (this.listenerCount('targetHealthy') > 0) this.emit('targetHealthy', { target: target.id });
  }

  private find(id: string): Target {
    const target = this.targets.find((t) => t.id === id);
    if (!target) throw new RangeError(`no target "${id}" (targets: ${this.targets.map((t) => t.id).join(', ')})`);
    return target;
  }
}

