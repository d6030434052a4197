import { EventEmitter } from 'node:events';
import type { LevelTable } from './levels.js';
import type { LogRecord } from './record.js';
import type { SettlementListener, Transport, TransportStats } from './transport.js';

/** A delivery failure as reported once per record. */
export interface DeliveryFailure {
  record: LogRecord;
  reasons: { target: string; error: Error }[];
}

export interface RouterEvents {
  error: [failure: DeliveryFailure];
  diagnostic: [message: string, detail?: unknown];
}

interface Target {
  readonly transport: Transport;
  readonly threshold: number;
}

export interface RouterStats {
  delivered: number;
  failed: number;
  targets: TransportStats[];
}

/**
 * Fans records out to transports by level and gathers their settlements. Failed records
 * are reported as one `error` event each (only when someone listens: an unheard `error`
 * event must never crash the process) and counted.
 */
export class Router extends EventEmitter<RouterEvents> implements SettlementListener {
  private readonly targets: Target[] = [];
  private deliveredCount = 0;
  private failedCount = 0;
  /** The lowest level any target accepts: records below it are never built. */
  minThreshold = Number.POSITIVE_INFINITY;

  constructor(private readonly levels: LevelTable) {
    super();
  }

  /** Adds a target; `levelOverride` (from config) wins over the transport's own level. */
  add(transport: Transport, levelOverride?: number): void {
    if (!transport.id) transport.id = `${transport.type}#${this.targets.length}`;
    const threshold =
      levelOverride ?? (transport.level === undefined ? Number.NEGATIVE_INFINITY : this.levels.value(transport.level));
    transport.attach(this);
    // A transport whose stream fails outright is reported, never allowed to crash us.
    transport.on('error', (error: Error) => this.diagnose(`transport ${transport.id} failed: ${error.message}`, error));
    transport.on('diagnostic', (message: string, detail?: unknown) => this.diagnose(`${transport.id}: ${message}`, detail));
    transport.replayReports?.();
    this.targets.push({ transport, threshold });
    this.minThreshold = Math.min(this.minThreshold, threshold);
  }

  get transports(): Transport[] {
    return this.targets.map((t) => t.transport);
  }

  dispatch(record: LogRecord): void {
    const targets = this.targets;
    for (let i = 0; i < targets.length; i++) {
      const target = targets[i]!;
      if (record.level >= target.threshold) target.transport.accept(record);
    }
  }

  delivered(_transport: Transport, count: number): void {
    this.deliveredCount += count;
  }

  failed(transport: Transport, records: readonly LogRecord[], reason: Error): void {
    this.failedCount += records.length;
    if (this.listenerCount('error') === 0) {
      this.diagnose(`${records.length} record(s) failed on ${transport.id}: ${reason.message}`, reason);
      return;
    }
    for (const record of records) this.emit('error', { record, reasons: [{ target: transport.id, error: reason }] });
  }

  async flush(): Promise<void> {
    await Promise.all(this.targets.map((t) => t.transport.flush()));
  }

  flushSync(): void {
    for (const target of this.targets) {
      try {
        target.transport.flushSync();
      } catch (error) {
        this.diagnose(`flushSync failed on ${target.transport.id}`, error);
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.targets.map((t) => t.transport.close()));
  }

  stats(): RouterStats {
    return {
      delivered: this.deliveredCount,
      failed: this.failedCount,
      targets: this.targets.map((t) => t.transport.stats()),
    };
  }

  diagnose(message: string, detail?: unknown): void {
    if (this.listenerCount('diagnostic') > 0) this.emit('diagnostic', message, detail);
  }
}
