import type { z } from 'zod';
import { keepFlat, type LogRecord } from '../core/record/log-record.js';
import type { TransportPlugin } from '../core/plugin/registry.js';
import {
  parkedOf,
  pendingOf,
  type TransportEvents,
  type TransportListener,
  type TransportOptions,
} from '../core/plugin/transport.js';
import {
  deprecatedOption,
  plainSize,
  plainTimerDuration,
  sizeSchema,
  timerDurationSchema,
} from '../core/plugin/units.js';
import { Batcher, backoffMs } from '../core/plugin/batcher.js';
import { batchLimitsSchema, plainBatchLimits, retrySchema } from '../core/plugin/batch-schema.js';
import { lazySchema } from '../core/util/lazy-schema.js';
import { anything, num, object, optional, where } from '../core/util/plain-checks.js';
import { type InnerTarget, WrapperTransport } from '../core/plugin/wrapper-transport.js';
import { isFinal, isSkip } from '../core/io/settlement.js';
import { monotonicMs } from '../core/util/monotonic.js';

export interface BufferedTransportOptions extends TransportOptions {
  batch?: {
    /** Records gathered before a flush (default: no bound but the bytes). */
    maxRecords?: number;
    /** Formatted bytes gathered before a flush (default 64 KiB). */
    maxBytes?: number;
    /** A flush at least this often while anything is buffered (default 1000 ms). */
    intervalMs?: number;
  };
  retry?: {
    /** Attempts at a chunk before its failed records settle as failed (default 6: five retries). */
    maxAttempts?: number;
    /** First retry delay, doubled each time (default 100 ms). */
    baseMs?: number;
    /** Longest delay between attempts (default: no cap). */
    maxMs?: number;
  };
  /** @deprecated since 0.3: `batch.maxBytes`. */
  bufferSize?: number | undefined;
  /** @deprecated since 0.3: `batch.intervalMs`. */
  flushIntervalMs?: number | undefined;
  /** @deprecated since 0.3: `retry.maxAttempts` (one more than the retries). */
  maxRetries?: number | undefined;
  /** @deprecated since 0.3: `retry.baseMs`. */
  retryDelayMs?: number | undefined;
}

export interface BufferStatus {
  bufferedBytes: number;
  bufferedRecords: number;
  /** bufferedBytes / bufferSize, 0..1 (may pass 1 while a flush is under way). */
  utilisation: number;
  inFlight: number;
  totalWritten: number;
  flushCount: number;
  failedFlushes: number;
  retries: number;
}

export interface FlushEvent {
  records: number;
  bytes: number;
  failed: number;
  durationMs: number;
}

/** The buffered transport's own events. */
export interface BufferedTransportEvents {
  /** A chunk was handed to the inner transport. */
  flush: [event: FlushEvent];
}

export interface BufferedTransport {
  on<K extends keyof BufferedTransportEvents | keyof TransportEvents>(
    event: K,
    listener: TransportListener<BufferedTransportEvents, K>,
  ): this;
  on(event: string | symbol, listener: (...args: never[]) => void): this;
}

/**
 * Gathers records (counting their formatted bytes) and hands them to the inner transport in
 * chunks, by size and by interval. A chunk the inner transport partly fails goes back to the
 * front of the buffer, in order, and is retried with backoff; after retry.maxAttempts its records
 * settle as failed.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface of its name only types `on` for its own events
export class BufferedTransport extends WrapperTransport<BufferStatus> {
  readonly type = 'buffered';
  private readonly batcher: Batcher<LogRecord>;
  private chunk: LogRecord[] | undefined;
  private chunkBytes = 0;
  private chunkStarted = 0;
  /** Records are being handed to the inner transport: a chunk is not over before all are. */
  private forwarding = false;
  /** The records being handed on, and the index of the next (see giveUpSync). */
  private handing: { records: readonly LogRecord[]; next: number } | undefined;
  private checkQueued = false;
  private chunkFailed: Set<LogRecord> | undefined;
  private chunkReason: Error | undefined;
  /** Records of the chunk out that failed for good (see innerFailed): settled, not tried again. */
  private chunkFinal: Set<LogRecord> | undefined;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly bufferSize: number;
  private readonly maxRetries: number;
  private readonly retryDelayMs: number;
  private readonly retryMaxMs: number;
  private totalWritten = 0;
  private flushCount = 0;
  private failedFlushes = 0;
  private retries = 0;
  /** The process is ending or close() gave up: a chunk that fails is not tried again. */
  private givingUp = false;

  constructor(inner: InnerTarget, options: BufferedTransportOptions = {}) {
    super(inner, options);
    const { batch = {}, retry = {} } = options;
    this.bufferSize = batch.maxBytes ?? options.bufferSize ?? 64 * 1024;
    const attempts = retry.maxAttempts ?? (options.maxRetries === undefined ? undefined : options.maxRetries + 1);
    this.maxRetries = (attempts ?? 6) - 1;
    this.retryDelayMs = retry.baseMs ?? options.retryDelayMs ?? 100;
    this.retryMaxMs = retry.maxMs ?? Number.POSITIVE_INFINITY;
    this.batcher = new Batcher(
      {
        maxItems: batch.maxRecords ?? Number.POSITIVE_INFINITY,
        maxBytes: this.bufferSize,
        intervalMs: batch.intervalMs ?? options.flushIntervalMs ?? 1000,
      },
      (records, bytes) => this.startChunk(records, bytes),
    );
  }

  protected handle(record: LogRecord): void {
    keepFlat(record);
    this.batcher.add(record, Buffer.byteLength(this.formatLine(record)));
  }

  /** Flushes now and resolves when everything buffered so far is settled. */
  forceFlush(): Promise<void> {
    return this.flush();
  }

  bufferStatus(): BufferStatus {
    return {
      bufferedBytes: this.batcher.bytes,
      bufferedRecords: this.batcher.length,
      utilisation: this.batcher.bytes / this.bufferSize,
      inFlight: this.chunk?.length ?? 0,
      totalWritten: this.totalWritten,
      flushCount: this.flushCount,
      failedFlushes: this.failedFlushes,
      retries: this.retries,
    };
  }

  protected override startFlush(): void {
    if (this.retryTimer !== undefined) return; // a retry is already scheduled
    this.batcher.cut();
    this.innerWait(false);
  }

  protected override startClose(): void {
    if (this.retryTimer !== undefined) return;
    this.batcher.cut();
    this.innerWait(true);
  }

  override flushSync(): void {
    // While a chunk is out, what gathers behind it cannot be cut, and a chunk that settles
    // inside the inner flush starts the next one, part of which the inner transport may still
    // hold: go on while each round moves to another chunk, until the inner one keeps a chunk
    // unsettled (it writes asynchronously) or nothing is left.
    let before: LogRecord[] | undefined;
    do {
      if (this.retryTimer !== undefined) {
        clearTimeout(this.retryTimer);
        this.retryTimer = undefined;
      }
      before = this.chunk;
      this.batcher.cut();
      this.innerSync('flushSync', () => this.inner.flushSync());
    } while (this.chunk !== before);
  }

  /**
   * Nothing more will be sent in time: what a synchronous inner transport can take is written,
   * the rest joins the chunk out and the inner transport parks or fails it, with no retry.
   */
  override giveUpSync(reason: Error): void {
    // The process ends inside the inner transport's handling of a record handed on here (its
    // handle() called process.exit()): that loop never resumes, and the chunk, waiting for it,
    // would never end. The rest is handed on now, to be written, parked or failed with the rest.
    const interrupted = this.handing;
    if (interrupted !== undefined) {
      const rest = interrupted.records.slice(interrupted.next);
      interrupted.next = interrupted.records.length;
      this.forwarding = false;
      this.forwardAll(rest);
    }
    this.flushSync();
    this.givingUp = true;
    this.batcher.close();
    const rest = this.batcher.drain();
    if (rest.length > 0) {
      if (this.chunk === undefined) this.startChunk(rest, 0);
      else {
        this.chunk.push(...rest);
        this.forwardAll(rest);
      }
    }
    this.innerSync('flushSync', () => this.inner.flushSync());
    this.innerSync('giveUpSync', () => this.inner.giveUpSync(reason));
    // What the inner transport parked ends the chunk now: the process may not get another turn.
    this.checkChunk();
  }

  protected override async closeResources(): Promise<void> {
    this.batcher.close();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await super.closeResources();
  }

  protected override extraStats(): BufferStatus {
    return this.bufferStatus();
  }

  /** One chunk at a time goes to the inner transport; while one is out, records keep gathering. */
  private startChunk(chunk: LogRecord[], bytes: number): boolean {
    if (this.chunk !== undefined) return false;
    this.chunk = chunk;
    this.chunkBytes = bytes;
    this.chunkStarted = monotonicMs();
    this.chunkFailed = undefined;
    this.chunkFinal = undefined;
    this.forwardAll(chunk);
    // Under a close, each chunk is the inner transport's to send or park at once too.
    if (this.closeRequested() && this.chunk === chunk) this.innerWait(true);
    return true;
  }

  private forwardAll(records: readonly LogRecord[]): void {
    this.forwarding = true;
    const handing = { records, next: 0 };
    this.handing = handing;
    try {
      while (handing.next < records.length) this.forward(records[handing.next++]!);
    } finally {
      this.forwarding = false;
      this.handing = undefined;
    }
    this.checkChunk();
  }

  protected innerDelivered(count: number): void {
    this.settleDelivered(count);
    this.checkChunk();
  }

  /**
   * Records of the chunk out are tried again; others are records the inner transport parked
   * from an earlier chunk and gave up on after reading them back (refused, or dropped for
   * its spool's bound): they fail here as they did there. So does a final failure (one an
   * inner http transport reports after its own retries, a record a check refused): tried
   * again here, it was sent up to retry.maxAttempts times more (six requests for one 401).
   */
  protected innerFailed(records: readonly LogRecord[], reason: Error): void {
    if (isSkip(reason)) {
      // Left out on purpose by the inner target (a validating check): taken, no failed flush.
      this.settleFailed(records, reason);
      this.checkChunk();
      return;
    }
    const chunk = this.chunk === undefined ? undefined : new Set(this.chunk);
    const elsewhere = chunk === undefined ? [...records] : records.filter((record) => !chunk.has(record));
    const final = isFinal(reason);
    if (elsewhere.length < records.length) {
      this.chunkFailed ??= new Set();
      for (const record of records) if (chunk?.has(record)) this.chunkFailed.add(record);
      if (final) {
        this.chunkFinal ??= new Set();
        for (const record of records) if (chunk?.has(record)) this.chunkFinal.add(record);
      } else this.chunkReason = reason;
    }
    if (final) this.settleFailed(records, reason);
    else if (elsewhere.length > 0) this.settleFailed(elsewhere, reason);
    if (elsewhere.length < records.length) this.checkChunk();
  }

  /**
   * Parked records of the chunk out are done with here (the inner transport sends them later,
   * or the next process does). Checked on a later turn: the inner transport may be parking
   * more of them, and must not be handed the next chunk while it does.
   */
  protected override innerParked(count: number, records?: readonly LogRecord[]): void {
    super.innerParked(count, records);
    if (this.checkQueued || this.chunk === undefined) return;
    this.checkQueued = true;
    queueMicrotask(() => {
      this.checkQueued = false;
      try {
        this.checkChunk();
      } catch (error) {
        // A `flush` listener that throws: on this turn nobody else would hear it.
        this.report('a flush listener threw', error);
      }
    });
  }

  /** Records the inner transport holds in memory: the chunk out, less what it settled or parked. */
  private get innerHolds(): number {
    return pendingOf(this.inner) - parkedOf(this.inner);
  }

  private checkChunk(): void {
    const chunk = this.chunk;
    if (chunk === undefined || this.forwarding || this.innerHolds > 0) return;
    this.chunk = undefined;
    this.flushCount++;
    const failedSet = this.chunkFailed;
    const failedAll = failedSet ? chunk.filter((r) => failedSet.has(r)) : [];
    const failedBytes = failedAll.reduce((sum, r) => sum + Buffer.byteLength(this.formatLine(r)), 0);
    // Settled already as failed for good, not to be tried again (innerFailed).
    const final = this.chunkFinal;
    this.chunkFinal = undefined;
    const failed = final === undefined ? failedAll : failedAll.filter((r) => !final.has(r));
    this.totalWritten += this.chunkBytes - failedBytes;
    if (this.listenerCount('flush') > 0) {
      const event: FlushEvent = {
        records: chunk.length,
        bytes: this.chunkBytes,
        failed: failedAll.length,
        durationMs: monotonicMs() - this.chunkStarted,
      };
      this.emit('flush', event);
    }
    if (failedAll.length > 0) this.failedFlushes++;
    if (failed.length === 0) {
      this.attempt = 0;
      if (this.batcher.length > 0 && this.pendingFlush()) this.batcher.cut();
      else this.batcher.ready();
      return;
    }
    if (this.attempt >= this.maxRetries || this.givingUp) {
      this.attempt = 0;
      this.settleFailed(failed, this.chunkReason ?? new Error('flush failed'));
      if (this.batcher.length > 0) this.batcher.cut();
      return;
    }
    // Put them back in front, in their original order, and try again after a pause.
    this.batcher.putBack(failed, failedBytes);
    const delay = backoffMs(this.attempt, this.retryDelayMs, this.retryMaxMs, false);
    this.attempt++;
    this.retries++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.batcher.cut();
    }, delay);
  }

  /** Someone awaits flush(): keep draining instead of waiting for size or interval. */
  private pendingFlush(): boolean {
    return pendingOf(this) > 0 && this.flushRequested();
  }
}

/** 0.2's options, accepted until 0.4: what to write instead. */
const RENAMED = {
  bufferSize: '"batch": { "maxBytes": … }',
  flushIntervalMs: '"batch": { "intervalMs": … }',
  maxRetries: '"retry": { "maxAttempts": … } (retries + 1)',
  retryDelayMs: '"retry": { "baseMs": … }',
};

const plainBuffered = object({
  batch: optional(plainBatchLimits),
  retry: optional(
    object({
      maxAttempts: optional(num(1, Number.MAX_SAFE_INTEGER, true)),
      baseMs: optional(plainTimerDuration),
      maxMs: optional(plainTimerDuration),
    }),
  ),
  target: where(anything, (value) => value !== undefined),
  bufferSize: optional(plainSize),
  flushIntervalMs: optional(plainTimerDuration),
  maxRetries: optional(num(0, Number.MAX_SAFE_INTEGER, true)),
  retryDelayMs: optional(plainTimerDuration),
});

const bufferedSchema = lazySchema(
  (z) =>
    z.strictObject({
      batch: batchLimitsSchema.optional(),
      // The buffered transport retries a chunk a few times in place: no overall deadline.
      retry: retrySchema.omit({ deadlineMs: true }).optional(),
      target: z.unknown().refine((v) => v !== undefined, { error: 'expected a "target" transport entry' }),
      bufferSize: deprecatedOption(sizeSchema.optional(), RENAMED.bufferSize),
      flushIntervalMs: deprecatedOption(timerDurationSchema.optional(), RENAMED.flushIntervalMs),
      maxRetries: deprecatedOption(z.number().int().min(0).optional(), RENAMED.maxRetries),
      retryDelayMs: deprecatedOption(timerDurationSchema.optional(), RENAMED.retryDelayMs),
    }),
  plainBuffered,
);

export const bufferedTransportPlugin: TransportPlugin<typeof bufferedSchema> = {
  schema: bufferedSchema,
  create: (options, context) =>
    new BufferedTransport(context.createTarget(options.target), {
      batch: {
        maxRecords: options.batch?.maxRecords,
        maxBytes: options.batch?.maxBytes ?? options.bufferSize,
        intervalMs: options.batch?.intervalMs ?? options.flushIntervalMs,
      },
      retry: {
        maxAttempts:
          options.retry?.maxAttempts ?? (options.maxRetries === undefined ? undefined : options.maxRetries + 1),
        baseMs: options.retry?.baseMs ?? options.retryDelayMs,
        maxMs: options.retry?.maxMs,
      },
      formatter: context.formatter,
    }),
  deprecated: RENAMED,
  wraps: ['target'],
};

declare module '../core/plugin/registry.js' {
  interface TransportTypes {
    buffered: z.input<typeof bufferedSchema>;
  }
}
