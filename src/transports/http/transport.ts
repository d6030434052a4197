import type { LogRecord } from '../../core/record/log-record.js';
import { Transport } from '../../core/plugin/transport.js';
import { Batcher, backoffMs } from '../../core/plugin/batcher.js';
import { Spool } from '../../core/io/spool.js';
import type { BatchProcessed, HttpRetryOptions, HttpSpoolOptions, HttpStats, HttpTransportOptions } from './options.js';
import { DEFAULT_RETRYABLE, type HttpPreset, type Verdict, verdictFor } from './preset.js';
import { httpPreset } from './presets/index.js';
import { Sender } from './sender.js';

const DEFAULT_SPOOL_MAX_BYTES = 100 * 1024 * 1024;

/**
 * Open HTTP transports, behind one process 'exit' listener (one each would trip Node's
 * too-many-listeners warning in a service with many destinations). It is added with the
 * first transport, before that logger's own exit hook, so what the transports fail at exit
 * still reaches the dead letter.
 */
const exiting = new (class extends Set<HttpTransport> {
  private readonly onExit = (): void => {
    for (const transport of this) transport.onExit();
  };

  override add(transport: HttpTransport): this {
    if (this.size === 0) process.on('exit', this.onExit);
    return super.add(transport);
  }

  override delete(transport: HttpTransport): boolean {
    const removed = super.delete(transport);
    if (removed && this.size === 0) process.off('exit', this.onExit);
    return removed;
  }
})();

interface Batch {
  records: LogRecord[];
  attempt: number;
  /** When it was first sent: the retry deadline counts from here. */
  firstSent: number;
  /** Read back from the spool: not the router's records; its read is committed once all settle. */
  replay?: { end: number; left: number };
}

/**
 * Ships records to an HTTP backend in batches: gathered by count, bytes and interval, sent
 * with at most `concurrency` requests in flight, retried with capped, jittered backoff
 * when (and only when) a retry can succeed; a batch that is too large is split, one the
 * server refuses is bisected until the poison records stand alone. Records settle only
 * once the server accepted them, or failed with the server's reason.
 */
export class HttpTransport extends Transport<HttpStats> {
  readonly type = 'http';
  private readonly url: string;
  private readonly preset: HttpPreset;
  private readonly sender: Sender;
  private readonly retryable: ReadonlySet<number>;
  private readonly maxRecords: number;
  private readonly batcher: Batcher<LogRecord>;
  private readonly retry: Required<HttpRetryOptions>;
  private readonly concurrency: number;
  private readonly ready: Batch[] = [];
  /** Batches waiting out a backoff, by timer. */
  private readonly waiting = new Map<NodeJS.Timeout, Batch>();
  private readonly sending = new Set<Batch>();
  private inFlight = 0;
  private readonly spool: Spool | undefined;
  private readonly spoolOptions: HttpSpoolOptions | undefined;
  private replayed = 0;
  private replayFailed = 0;
  private spooledCount = 0;
  private spoolDropped = 0;
  /** Lines an earlier process left in the spool and not yet read back: nobody's records here. */
  private adoptedLeft = 0;
  /** Records read back from the spool that are this process's own (the router waits for them). */
  private readonly routerOwned = new WeakSet<LogRecord>();
  private replaying = false;
  private replayTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private batches = 0;
  private items = 0;
  private retries = 0;
  private splits = 0;
  private batchMs = 0;

  constructor(options: HttpTransportOptions) {
    super(options);
    this.preset = options.preset ?? httpPreset('ndjson')!({ line: (r) => r.json() });
    this.url = this.preset.url ? this.preset.url(options.url) : options.url;
    this.concurrency = options.concurrency ?? 2;
    this.sender = new Sender(
      {
        headers: options.headers ?? {},
        timeoutMs: options.timeoutMs ?? 10_000,
        compression: options.compression ?? 'none',
        concurrency: this.concurrency,
        tls: options.tls,
      },
      this.url.startsWith('https:'),
    );
    this.retryable = this.preset.retryable ?? DEFAULT_RETRYABLE;
    this.maxRecords = options.batch?.maxRecords ?? 1000;
    this.batcher = new Batcher(
      {
        maxItems: this.maxRecords,
        maxBytes: options.batch?.maxBytes ?? 1024 * 1024,
        intervalMs: options.batch?.intervalMs ?? 1000,
      },
      (records) => this.enqueue(records),
    );
    this.retry = {
      maxAttempts: options.retry?.maxAttempts ?? 8,
      baseMs: options.retry?.baseMs ?? 500,
      maxMs: options.retry?.maxMs ?? 30_000,
      deadlineMs: options.retry?.deadlineMs ?? 300_000,
    };
    // Nothing can be sent once the process is exiting: what is still held goes to the spool
    // (sent by the next start), or without one fails, counted and dead-lettered before the
    // logger's own exit hook writes the dead letter.
    exiting.add(this);
    this.spoolOptions = options.spool;
    if (options.spool) {
      this.spool = Spool.claim(options.spool.dir, options.spool.name);
      this.adoptedLeft = this.spool.count;
      setImmediate(() => this.replayNext());
    }
  }

  /** The next read of the spool an earlier process left, sent before anything newer. */
  private replayNext(): void {
    const spool = this.spool;
    if (spool === undefined || spool.empty || this.stopped || this.replaying) return;
    const lines = spool.read(this.maxRecords);
    if (lines.length === 0) return;
    this.replaying = true;
    const records = lines.map((line) => this.spoolOptions!.revive(line));
    // The file is in order: first what an earlier process left, then what this one spooled.
    const adopted = Math.min(this.adoptedLeft, records.length);
    this.adoptedLeft -= adopted;
    for (let i = adopted; i < records.length; i++) this.routerOwned.add(records[i]!);
    this.ready.unshift({ records, attempt: 0, firstSent: 0, replay: { end: spool.position, left: records.length } });
    this.pump();
  }

  /** Tries the spool again later (the destination was down when a batch went there). */
  private replayLater(delayMs: number): void {
    if (this.replayTimer !== undefined || this.stopped) return;
    this.replayTimer = setTimeout(() => {
      this.replayTimer = undefined;
      this.replayNext();
    }, delayMs);
  }

  /**
   * A batch that ran out of attempts or time, with a spool: its records wait on disk and are
   * sent again later; they stay unsettled until the server accepts them.
   */
  private spoolForLater(records: LogRecord[]): void {
    this.appendToSpool(records);
    this.replayLater(this.retry.maxMs);
  }

  /** Appends records to the spool within its bound; what cannot be written fails, counted. */
  private appendToSpool(records: LogRecord[]): void {
    const spool = this.spool!;
    const maxBytes = this.spoolOptions?.maxBytes ?? DEFAULT_SPOOL_MAX_BYTES;
    let spooled = 0;
    try {
      for (const record of records) {
        const line = record.json();
        const dropped = spool.makeRoom(Buffer.byteLength(line), maxBytes, !this.replaying);
        if (dropped.length > 0) this.droppedFromSpool(dropped);
        spool.append(line);
        spooled++;
      }
    } catch (error) {
      this.fail(records.slice(spooled), error instanceof Error ? error : new Error(String(error)));
    }
    this.spooledCount += spooled;
  }

  /** The oldest spooled lines, dropped for the bound: counted, the router's own settled as failed. */
  private droppedFromSpool(lines: string[]): void {
    const reason = new Error('dropped: the spool is over its spoolMaxBytes');
    this.spoolDropped += lines.length;
    const adopted = Math.min(this.adoptedLeft, lines.length);
    this.adoptedLeft -= adopted;
    const records = lines.map((line) => this.spoolOptions!.revive(line));
    for (const record of records.slice(0, adopted)) this.spoolOptions?.deadLetter?.(record, reason);
    if (adopted < records.length) this.fail(records.slice(adopted), reason);
  }

  /**
   * Records of a batch settled. The router's own are settled with it (those read back from
   * the spool too); what an earlier process left is counted here and dead-lettered when
   * refused; a read from the spool is committed once all its lines are settled.
   */
  private settled(batch: Batch, delivered: LogRecord[], failed: [LogRecord[], Error][]): void {
    const replay = batch.replay;
    if (replay === undefined) {
      if (delivered.length > 0) this.settleDelivered(delivered.length);
      for (const [records, reason] of failed) this.fail(records, reason);
      if (this.spool !== undefined && !this.spool.empty) this.replayNext(); // the destination is back
      return;
    }
    const owned = delivered.filter((r) => this.routerOwned.has(r)).length;
    if (owned > 0) this.settleDelivered(owned);
    this.replayed += delivered.length - owned;
    for (const [records, reason] of failed) {
      const mine = records.filter((r) => this.routerOwned.has(r));
      if (mine.length > 0) this.fail(mine, reason);
      const theirs = records.filter((r) => !this.routerOwned.has(r));
      this.replayFailed += theirs.length;
      for (const record of theirs) this.spoolOptions?.deadLetter?.(record, reason);
    }
    replay.left -= delivered.length + failed.reduce((n, [records]) => n + records.length, 0);
    if (replay.left <= 0) {
      this.spool!.commit(replay.end);
      this.replaying = false;
      this.replayNext();
    }
  }

  protected handle(record: LogRecord): void {
    this.batcher.add(record, record.json().length);
  }

  protected override startFlush(): void {
    this.batcher.cut();
  }

  protected override async closeResources(): Promise<void> {
    this.stopped = true;
    this.batcher.close();
    if (this.replayTimer) clearTimeout(this.replayTimer);
    for (const timer of this.waiting.keys()) clearTimeout(timer);
    exiting.delete(this);
    this.sender.close();
    this.spool?.close();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    void this.closeResources().then(() => callback(error));
  }

  protected override extraStats(): HttpStats {
    return {
      batches: this.batches,
      items: this.items,
      retries: this.retries,
      splits: this.splits,
      averageBatchSize: this.batches === 0 ? 0 : this.items / this.batches,
      averageBatchMs: this.batches === 0 ? 0 : this.batchMs / this.batches,
      buffered: this.batcher.length,
      queuedBatches: this.ready.length,
      inFlight: this.inFlight,
      replayed: this.replayed,
      replayFailed: this.replayFailed,
      spooledForLater: this.spooledCount,
      spoolDropped: this.spoolDropped,
    };
  }

  /** The process is exiting (called once, by the shared exit listener). */
  readonly onExit = (): void => {
    // Batches read from the spool are still in it (their reads are not committed).
    const batches = [...this.ready, ...this.waiting.values(), ...this.sending].filter((b) => b.replay === undefined);
    const held = [...batches.flatMap((b) => b.records), ...this.batcher.drain()];
    this.ready.length = 0;
    if (held.length === 0) {
      this.spool?.close();
      return;
    }
    if (this.spool !== undefined) {
      // At least once: a batch in flight may have reached the server too.
      this.appendToSpool(held);
      this.spool.close();
      return;
    }
    this.settleFailed(held, new Error('process exited before the records were sent'));
  };

  /** A gathered batch, ready to send. */
  private enqueue(records: LogRecord[]): boolean {
    this.ready.push({ records, attempt: 0, firstSent: 0 });
    // Bodies are built and sent once the caller's own work yields, never inside a log call.
    if (!this.pumpScheduled) {
      this.pumpScheduled = true;
      setImmediate(this.onPump);
    }
    return true;
  }

  private pumpScheduled = false;

  private readonly onPump = (): void => {
    this.pumpScheduled = false;
    this.pump();
  };

  private pump(): void {
    while (this.inFlight < this.concurrency && this.ready.length > 0 && !this.stopped) {
      const batch = this.ready.shift()!;
      this.inFlight++;
      this.sending.add(batch);
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.sending.delete(batch);
        this.pump();
      });
    }
  }

  private async send(batch: Batch): Promise<void> {
    const started = Date.now();
    if (batch.firstSent === 0) batch.firstSent = started;
    let verdict: Verdict;
    let body: string | undefined;
    try {
      body = this.preset.body(batch.records);
      const response = await this.sender.send(this.url, this.preset.contentType, body);
      verdict = this.preset.classify?.(response, batch.records) ?? verdictFor(response, this.retryable);
    } catch (error) {
      const reason = error instanceof Error ? error : new Error(String(error));
      // A network error is worth retrying; a preset that cannot build a body is not.
      verdict =
        body === undefined
          ? { kind: 'bisect', reason: new Error(`the preset threw: ${reason.message}`) }
          : { kind: 'retry', reason };
    }
    this.batches++;
    this.items += batch.records.length;
    this.batchMs += Date.now() - started;
    if (this.listenerCount('batchProcessed') > 0) {
      const event: BatchProcessed = {
        records: batch.records.length,
        attempt: batch.attempt,
        durationMs: Date.now() - started,
        outcome: verdict.kind,
      };
      this.emit('batchProcessed', event);
    }
    this.apply(batch, verdict);
  }

  private apply(batch: Batch, verdict: Verdict): void {
    const records = batch.records;
    switch (verdict.kind) {
      case 'delivered':
        this.settled(batch, records, []);
        return;
      case 'retry':
        this.retryLater(batch, verdict.reason, verdict.retryAfterMs);
        return;
      case 'split':
      case 'bisect': {
        if (records.length === 1) {
          this.settled(batch, [], [[records, verdict.reason]]);
          return;
        }
        this.splits++;
        const half = Math.ceil(records.length / 2);
        const halves = [records.slice(0, half), records.slice(half)];
        this.ready.unshift(...halves.map((part) => ({ ...batch, records: part })));
        return;
      }
      case 'fail': {
        const reason = verdict.circuit ? Object.assign(verdict.reason, { openCircuit: true }) : verdict.reason;
        this.settled(batch, [], [[records, reason]]);
        return;
      }
      case 'partial': {
        const retry = new Set(verdict.retry);
        const delivered = records.filter((_, i) => !verdict.failed.has(i) && !retry.has(i));
        const failed = [...verdict.failed].map(([index, reason]): [LogRecord[], Error] => [[records[index]!], reason]);
        this.settled(batch, delivered, failed);
        if (retry.size > 0) {
          const again = { ...batch, records: records.filter((_, i) => retry.has(i)) };
          this.retryLater(again, new Error('some records were refused for now'), undefined);
        }
        return;
      }
    }
  }

  private fail(records: LogRecord[], reason: Error): void {
    if (this.listenerCount('itemFailed') > 0) for (const record of records) this.emit('itemFailed', record, reason);
    this.settleFailed(records, reason);
  }

  /** Backoff with full jitter, capped; Retry-After wins; given up past maxAttempts or the deadline. */
  private retryLater(batch: Batch, reason: Error, serverDelay: number | undefined): void {
    const attempt = batch.attempt + 1;
    const delay = serverDelay ?? backoffMs(batch.attempt, this.retry.baseMs, this.retry.maxMs, true);
    const exhausted = attempt >= this.retry.maxAttempts || Date.now() + delay - batch.firstSent > this.retry.deadlineMs;
    // Lines read back from the spool are on disk already: they wait there, never given up.
    if (exhausted && batch.replay === undefined && this.spool !== undefined && !this.stopped) {
      this.spoolForLater(batch.records);
      return;
    }
    if ((exhausted && batch.replay === undefined) || this.stopped) {
      const gaveUp = new Error(`gave up after ${attempt} attempt(s): ${reason.message}`, { cause: reason });
      this.settled(batch, [], [[batch.records, gaveUp]]);
      return;
    }
    this.retries++;
    const timer = setTimeout(() => {
      this.waiting.delete(timer);
      this.ready.unshift({ ...batch, attempt });
      this.pump();
    }, delay);
    this.waiting.set(timer, batch);
  }
}
