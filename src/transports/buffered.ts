import { z } from 'zod';
import type { LogRecord } from '../core/record/log-record.js';
import type { TransportPlugin } from '../core/plugin/registry.js';
import type { Transport, TransportOptions } from '../core/plugin/transport.js';
import { durationSchema, sizeSchema } from '../core/plugin/units.js';
import { Batcher, backoffMs } from '../core/plugin/batcher.js';
import { WrapperTransport } from '../core/plugin/wrapper-transport.js';

export interface BufferedTransportOptions extends TransportOptions {
  /** Formatted bytes gathered before a flush (default 64 KiB). */
  bufferSize?: number;
  /** A flush at least this often while anything is buffered (default 1000 ms). */
  flushIntervalMs?: number;
  /** Retries of a failed flush before its records settle as failed (default 5). */
  maxRetries?: number;
  /** First retry delay, doubled each time (default 100 ms). */
  retryDelayMs?: number;
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

/**
 * Gathers records (counting their formatted bytes) and hands them to the inner transport in
 * chunks, by size and by interval. A chunk the inner transport partly fails goes back to the
 * front of the buffer, in order, and is retried with backoff; after maxRetries its records
 * settle as failed.
 */
export class BufferedTransport extends WrapperTransport<BufferStatus> {
  readonly type = 'buffered';
  private readonly batcher: Batcher<LogRecord>;
  private chunk: LogRecord[] | undefined;
  private chunkBytes = 0;
  private chunkStarted = 0;
  private chunkDelivered = 0;
  private chunkFailed: Set<LogRecord> | undefined;
  private chunkReason: Error | undefined;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly bufferSize: number;
  private readonly maxRetries: number;
  private readonly retryDelayMs: number;
  private totalWritten = 0;
  private flushCount = 0;
  private failedFlushes = 0;
  private retries = 0;

  constructor(inner: Transport, options: BufferedTransportOptions = {}) {
    super(inner, options);
    this.bufferSize = options.bufferSize ?? 64 * 1024;
    this.maxRetries = options.maxRetries ?? 5;
    this.retryDelayMs = options.retryDelayMs ?? 100;
    this.batcher = new Batcher(
      { maxItems: Number.POSITIVE_INFINITY, maxBytes: this.bufferSize, intervalMs: options.flushIntervalMs ?? 1000 },
      (records, bytes) => this.startChunk(records, bytes),
    );
  }

  protected handle(record: LogRecord): void {
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
    void this.inner.flush();
  }

  override flushSync(): void {
    if (this.retryTimer !== undefined) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    this.batcher.cut();
    this.inner.flushSync();
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
    this.chunkStarted = Date.now();
    this.chunkDelivered = 0;
    this.chunkFailed = undefined;
    for (const record of chunk) this.forward(record);
    return true;
  }

  protected innerDelivered(count: number): void {
    this.chunkDelivered += count;
    this.settleDelivered(count);
    this.checkChunk();
  }

  protected innerFailed(records: readonly LogRecord[], reason: Error): void {
    this.chunkFailed ??= new Set();
    for (const record of records) this.chunkFailed.add(record);
    this.chunkReason = reason;
    this.checkChunk();
  }

  private checkChunk(): void {
    const chunk = this.chunk;
    if (chunk === undefined || this.chunkDelivered + (this.chunkFailed?.size ?? 0) < chunk.length) return;
    this.chunk = undefined;
    this.flushCount++;
    const failedSet = this.chunkFailed;
    const failed = failedSet ? chunk.filter((r) => failedSet.has(r)) : [];
    const failedBytes = failed.reduce((sum, r) => sum + Buffer.byteLength(this.formatLine(r)), 0);
    this.totalWritten += this.chunkBytes - failedBytes;
    if (this.listenerCount('flush') > 0) {
      const event: FlushEvent = {
        records: chunk.length,
        bytes: this.chunkBytes,
        failed: failed.length,
        durationMs: Date.now() - this.chunkStarted,
      };
      this.emit('flush', event);
    }
    if (failed.length === 0) {
      this.attempt = 0;
      if (this.batcher.full || (this.batcher.length > 0 && this.pendingFlush())) this.batcher.cut();
      return;
    }
    this.failedFlushes++;
    if (this.attempt >= this.maxRetries) {
      this.attempt = 0;
      this.settleFailed(failed, this.chunkReason ?? new Error('flush failed'));
      if (this.batcher.length > 0) this.batcher.cut();
      return;
    }
    // Put them back in front, in their original order, and try again after a pause.
    this.batcher.putBack(failed, failedBytes);
    const delay = backoffMs(this.attempt, this.retryDelayMs, Number.POSITIVE_INFINITY, false);
    this.attempt++;
    this.retries++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.batcher.cut();
    }, delay);
  }

  /** Someone awaits flush(): keep draining instead of waiting for size or interval. */
  private pendingFlush(): boolean {
    return this.pending > 0 && this.flushRequested();
  }
}

const bufferedSchema = z.strictObject({
  bufferSize: sizeSchema.optional(),
  flushIntervalMs: durationSchema.optional(),
  maxRetries: z.number().int().min(0).optional(),
  retryDelayMs: durationSchema.optional(),
  target: z.unknown().refine((v) => v !== undefined, { error: 'expected a "target" transport entry' }),
});

export const bufferedTransportPlugin: TransportPlugin<typeof bufferedSchema> = {
  schema: bufferedSchema,
  create: (options, context) =>
    new BufferedTransport(context.createTarget(options.target), {
      bufferSize: options.bufferSize,
      flushIntervalMs: options.flushIntervalMs,
      maxRetries: options.maxRetries,
      retryDelayMs: options.retryDelayMs,
      formatter: context.formatter,
    }),
};

declare module '../core/plugin/registry.js' {
  interface TransportTypes {
    buffered: z.input<typeof bufferedSchema>;
  }
}
