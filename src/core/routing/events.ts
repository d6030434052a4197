import type { FailureReason, LogRecord } from '../record/log-record.js';
import type { OverflowPolicy } from './target.js';

export type Strategy = 'all' | 'any' | 'majority';

/** Why one target could not take a record. */
export type DeadLetterReason = FailureReason;

/** A record that failed under the strategy, reported once. */
export interface DeliveryFailure {
  record: LogRecord;
  reasons: DeadLetterReason[];
}

/** What the router (and so the logger) reports. */
export interface RouterEvents {
  /** A record failed under the strategy: once per record. */
  deliveryFailed: [failure: DeliveryFailure];
  /** The old name of `deliveryFailed`, emitted alongside it for one minor version. */
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
  /** pino's: a logger's level was changed (label, value, previous label, previous value, the logger). */
  'level-change': [label: string, value: number, previousLabel: string, previousValue: number, logger: unknown];
}

/** The router as the parts of routing see it: somewhere to emit events and diagnostics. */
export interface RoutingEvents {
  /** Emits to the user's listeners; one that throws is diagnosed, never thrown into routing. */
  announce<K extends keyof RouterEvents>(event: K, ...args: RouterEvents[K]): void;
  listenerCount(event: keyof RouterEvents): number;
  /** Runs failure listeners: records they log are routed afterwards, marked quiet. */
  reportingFailures(run: () => void): void;
  diagnose(message: string, detail?: unknown): void;
}
