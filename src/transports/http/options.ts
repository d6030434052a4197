import type { LogRecord } from '../../core/record/log-record.js';
import type { TransportOptions } from '../../core/plugin/transport.js';
import type { HttpPreset, Verdict } from './preset.js';
import type { SenderOptions } from './sender.js';

export interface HttpRetryOptions {
  /** Sends of one batch before its records fail (default 8). */
  maxAttempts?: number;
  /** First backoff (default 500 ms), doubled each attempt, full jitter. */
  baseMs?: number;
  /** Longest backoff (default 30 s). */
  maxMs?: number;
  /** A batch not delivered this long after its first send fails (default 5 min). */
  deadlineMs?: number;
}

/** Where what the transport holds at exit waits for the next start. */
export interface HttpSpoolOptions {
  dir: string;
  /** The spool's bound: beyond it the oldest records are dropped, counted (default 100 MB). */
  maxBytes?: number;
  /** The spool file's name in `dir` (one per destination). */
  name: string;
  /** Turns a spooled line back into a record. */
  revive(line: string): LogRecord;
  /** Where a spooled record the server refuses goes (the dead letter). */
  deadLetter?(record: LogRecord, reason: Error): boolean;
}

export interface HttpTransportOptions extends TransportOptions, Partial<SenderOptions> {
  url: string;
  spool?: HttpSpoolOptions;
  preset?: HttpPreset;
  batch?: { maxRecords?: number; maxBytes?: number; intervalMs?: number };
  retry?: HttpRetryOptions;
}

/** What the HTTP transport adds to stats(). */
export interface HttpStats {
  batches: number;
  items: number;
  retries: number;
  splits: number;
  averageBatchSize: number;
  averageBatchMs: number;
  buffered: number;
  queuedBatches: number;
  inFlight: number;
  /** Records sent from the spool left by an earlier process, and those refused. */
  replayed: number;
  replayFailed: number;
  /** Records this process put in the spool (out of attempts, or at exit), and those dropped for its bound. */
  spooledForLater: number;
  spoolDropped: number;
}

/** The `batchProcessed` event: one send of one batch and what came of it. */
export interface BatchProcessed {
  records: number;
  attempt: number;
  durationMs: number;
  outcome: Verdict['kind'];
}
