import { batchSettings } from './protocol.js';
import { dropReason, markFinal } from '../io/settlement.js';
import { Spool, SPOOL_CLAIM_AGAIN_MS } from '../io/spool.js';
import { type SpoolRead, SpoolReads } from '../io/spool-reads.js';
import { straySpools } from '../io/spool-strays.js';
import { carryFate, keepFlat, type LogRecord } from '../record/log-record.js';
import { ParkedFates } from '../record/parked-fates.js';
import { type BatchResult, type Verdict, verdictOf } from './batch-outcome.js';
import { Batcher, backoffMs, retryWaitMs } from './batcher.js';
import { afterReads, timerHolds } from '../util/timeout.js';
import {
  parkedOf,
  pendingOf,
  toError,
  Transport,
  type TransportEvents,
  type TransportListener,
  type TransportOptions,
  type TransportServices,
} from './transport.js';
import { monotonicMs } from '../util/monotonic.js';
import { isThenable } from '../util/thenable.js';

export interface BatchOptions {
  /** Records per batch (default 1000). */
  maxRecords?: number | undefined;
  /** Bytes per batch, as `size` counts them (default 1 MiB). */
  maxBytes?: number | undefined;
  /** A batch is cut this long after its first record at the latest (default 1 s). */
  intervalMs?: number | undefined;
}

export interface RetryOptions {
  /** Attempts at one batch before its records fail, or are parked in the spool (default 8). */
  maxAttempts?: number | undefined;
  /** First backoff (default 500 ms), doubled each attempt, full jitter. */
  baseMs?: number | undefined;
  /** Longest backoff, and the most a destination's own "retry after" is waited (default 30 s). */
  maxMs?: number | undefined;
  /** A batch not delivered this long after its first attempt is given up (default 5 min). */
  deadlineMs?: number | undefined;
}

export interface SpoolOptions {
  /** Folder of the spool file (made when missing). */
  dir: string;
  /** The file's name in `dir`, one per destination (default: the transport's id). */
  name?: string | undefined;
  /** Bound of the file: beyond it the oldest lines are dropped, counted as `spoolDropped` (default 100 MB). */
  maxBytes?: number | undefined;
  /** Records held in memory before newer ones wait on disk (default: four batches). */
  memoryRecords?: number | undefined;
  /**
   * The start (`http-`) that `name` shares with the names of other destinations' files: such
   * a file left in `dir` with lines no live logger will send is diagnosed at the start.
   */
  family?: string | undefined;
}

/** What a processor is told besides the records. */
export interface BatchInfo {
  /** 0 for the first attempt at these records. */
  attempt: number;
  /** The records were read back from the spool. */
  replay: boolean;
  /** Aborted when the attempt times out or the transport gives up (exit, close timeout). */
  signal: AbortSignal;
  /**
   * Settles records of the batch now, before the attempt's answer (a destination that
   * acknowledges each record): delivered, or failed with `reason`. The answer then says
   * nothing more of them; an exit, a timeout or a retry concerns only the rest. Ignored once
   * the attempt is over or the transport gave up.
   */
  settle(indexes: readonly number[], reason?: Error): void;
  /**
   * Says the records have gone out (the request written whole): from here, an attempt the
   * transport gives up on (a close that times out, the process's end) leaves it unknown
   * whether the destination took them. Read only with `saysWhenWritten`.
   */
  written(): void;
}

/**
 * Delivers one batch. Resolve with nothing when every record is delivered, with a partial
 * result (`{ failed, retry }`) or a verdict otherwise; throw (or reject) to have the batch
 * tried again after a backoff. A throw, or no answer within `timeoutMs`, leaves it unknown
 * whether the destination took the batch: records a later attempt delivers are counted as
 * `possibleDuplicates`, unless the error says `outcomeUnknown: false` (nothing was sent).
 * A `retry` verdict whose reason says `outcomeUnknown: true` (an answer that could not be
 * read) counts the same way.
 */
export type BatchProcessor = (records: readonly LogRecord[], info: BatchInfo) => BatchResult | Promise<BatchResult>;

export interface BatchTransportOptions extends TransportOptions {
  batch?: BatchOptions | undefined;
  retry?: RetryOptions | undefined;
  /** Batches in flight at once (default 1: a processor sees batches in order). */
  concurrency?: number | undefined;
  /** An attempt not answered this long is abandoned and retried (default 30 s). */
  timeoutMs?: number | undefined;
  /** Where records wait when they cannot be delivered now: out of attempts, at exit, at a close. */
  spool?: SpoolOptions | undefined;
  /** How many bytes a record counts towards `batch.maxBytes` (default: its JSON line's length). */
  size?(record: LogRecord): number;
  /**
   * The processor calls `info.written()` once a batch has gone out: a batch out, written, when
   * the transport gives up on it is parked marked uncertain (its resend counted in
   * possibleDuplicates) or failed with a reason that says the destination may have it, and
   * counted in `unanswered`. Without it, a give-up says nothing of what was out.
   */
  saysWhenWritten?: boolean | undefined;
}

export interface BatchStats {
  /** Attempts made, records in them, backoffs waited, batches halved. */
  batches: number;
  items: number;
  retries: number;
  splits: number;
  averageBatchSize: number;
  averageBatchMs: number;
  /** Records gathered for the next batch, batches ready to go, attempts in flight. */
  buffered: number;
  queuedBatches: number;
  inFlight: number;
  /** Records an earlier process left in the spool that were delivered, and refused. */
  replayed: number;
  replayFailed: number;
  /** Records this process ever parked in the spool, and spooled lines dropped for its bound. */
  spooledForLater: number;
  spoolDropped: number;
  /**
   * Lines in the spool now, not yet taken by the destination: this process's and those an
   * earlier process left, read back or not (0 without a spool).
   */
  spoolLines: number;
  /**
   * Lines an earlier process left in the spool that this one dropped for `spool.maxBytes`
   * (dead-lettered when there is a dead letter; they are no record of this process's counts).
   */
  adoptedDropped: number;
  /**
   * Records whose attempt was out with no answer yet when the transport gave up on them (a
   * close that timed out, the process's end): parked or failed as the rest, though the
   * destination may hold them, so they may arrive twice.
   */
  unanswered: number;
}

/** The `batchProcessed` event: one attempt at one batch and what came of it. */
export interface BatchProcessed {
  records: number;
  /** 0 for the first attempt at these records (BatchInfo's). */
  attempt: number;
  durationMs: number;
  outcome: Verdict['kind'];
}

/**
 * A parked line's first character when its attempt had no answer (a timeout, a reset, the
 * process's end while it was out): JSON allows the space, and the line read back, in this
 * process or the next, is counted in possibleDuplicates once delivered again.
 */
const UNCERTAIN_MARK = ' ';
const UNCERTAIN_MARK_CODE = 32;

/**
 * Why records fail whose request was written, unanswered, when the transport gave up: the
 * give-up's own reason ("process exited before the records were sent") would contradict it.
 */
const UNANSWERED = new Error(
  'sent, and not answered before delivery was given up (a close that timed out, or the process ' +
    'ending): the destination may have them',
);

/** How often a close looks whether a replay in flight has its answer. */
const REPLAY_POLL_MS = 10;

interface Batch {
  records: LogRecord[];
  /**
   * Where its records stand among the others': batches in the order they were made, halves
   * after their batch's place, in their order. What is failed at once (an exit) goes in it.
   */
  order: readonly number[];
  attempt: number;
  /** When it was first attempted: the retry deadline counts from here. */
  firstSent: number;
  /** Read back from the spool: its lines stay there until settled, so it is never parked again. */
  read?: SpoolRead;
  /** One of the two halves of a batch refused as too large or as holding poison. */
  half?: Halves;
  /** One record sent alone to learn whether a refused batch's records can be taken at all. */
  probe?: RefusalFamily;
  /** An earlier attempt's outcome is unknown: the destination may already hold these records. */
  uncertain?: boolean;
  /** The processor said this attempt's records went out (see BatchInfo.written). */
  written?: boolean;
  /** Of a batch read back from the spool: its records that were parked after such an attempt. */
  uncertainRecords?: Set<LogRecord>;
}

/** Batches by their `order`: element by element, a batch before its own halves. */
function compareOrder(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** The halves of a refused batch: how it was refused, and the first half refused alike, if one is. */
interface Halves {
  kind: 'split' | 'bisect';
  /** What the refusal was: its status (a number on the reason, as the http transport sets), or its message. */
  key: string;
  /** Halves of a refused batch share their family down the tree. */
  family: RefusalFamily;
  /** A half refused like the batch, held until its sibling answers. */
  held?: Refused;
  /** One half answered otherwise: each goes its own way from here. */
  decided: boolean;
}

/** The pieces of a refused batch (as too large, or as holding poison), halved again and again. */
interface RefusalFamily {
  kind: 'split' | 'bisect';
  key: string;
  /** none: not known; pending: a probe is out; fits: one record went through; hopeless: not even one. */
  state: 'none' | 'pending' | 'fits' | 'hopeless';
  /** Pieces refused alike, waiting for the probe's answer. */
  waiting: Refused[];
  /** Records of a batch holding poison sent alone and refused alike (each failed on its own answer). */
  refusedAlone: number;
}

/**
 * How many records of a batch refused as holding poison are sent alone, each refused alike,
 * before the refusal is taken for the whole batch's: one alone refused may be poison itself
 * (the first record, sent first, was; the other 998 of a batch then failed with it).
 */
const BISECT_PROBES = 3;

interface Refused {
  batch: Batch;
  reason: Error;
}

const DEFAULT_SPOOL_MAX_BYTES = 100 * 1024 * 1024;

/** A batch transport's own events. */
export interface BatchTransportEvents {
  /** An attempt at a batch ended: how many records, which attempt, how long, and its outcome. */
  batchProcessed: [event: BatchProcessed];
  /** A record given up on (out of attempts, refused, or held at the end with no spool), and why. */
  itemFailed: [record: LogRecord, reason: Error];
}

// biome-ignore lint/correctness/noUnusedVariables: merged with the class, whose type parameter it must repeat
export interface BatchTransport<Extra extends object = object> {
  on<K extends keyof BatchTransportEvents | keyof TransportEvents>(
    event: K,
    listener: TransportListener<BatchTransportEvents, K>,
  ): this;
  on(event: string | symbol, listener: (...args: never[]) => void): this;
}

/** What a batch transport runs by (see batchSettings). */
export interface BatchSettings {
  maxRecords: number;
  maxBytes: number;
  intervalMs: number;
  concurrency: number;
  timeoutMs: number;
  retry: { maxAttempts: number; baseMs: number; maxMs: number; deadlineMs: number };
}

/**
 * Batches records and hands each batch to an async processor: gathered by count, bytes and
 * interval, at most `concurrency` in flight, retried with capped, jittered backoff, halved
 * when the processor says a batch is too large or holds a poison record. Records settle
 * only on the processor's word. With a spool, what cannot be delivered now (out of
 * attempts, beyond the in-memory bound, held at exit or at a close) is parked on disk and
 * sent later, by this process or the next; without one it fails, counted.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface of its name only types `on` for its own events
export class BatchTransport<Extra extends object = object> extends Transport<BatchStats & Extra> {
  readonly type: string = 'batch';
  readonly #processor: BatchProcessor;
  readonly #batcher: Batcher<LogRecord>;
  /** Batches made so far: the next one's place in `order`. */
  #batchesMade = 0;
  readonly #size: (record: LogRecord) => number;
  readonly #maxRecords: number;
  readonly #maxBytes: number;
  readonly #intervalMs: number;
  readonly #retry: Required<RetryOptions>;
  readonly #concurrency: number;
  readonly #saysWhenWritten: boolean;
  readonly #timeoutMs: number;
  readonly #spoolOptions: SpoolOptions | undefined;
  readonly #memoryRecords: number;
  readonly #ready: Batch[] = [];
  /** Halves refused alike, waiting for their sibling's answer or a probe's. */
  readonly #held = new Set<Batch>();
  /** Batches waiting out a backoff, by timer. */
  readonly #waiting = new Map<NodeJS.Timeout, Batch>();
  readonly #sending = new Set<Batch>();
  /** One per attempt in flight: aborted when it times out or the transport gives up. */
  readonly #attempts = new Set<AbortController>();
  #reads: SpoolReads | undefined;
  /** Lines an earlier process left in the spool and not yet read back: nobody's records here. */
  #adoptedLeft = 0;
  /** Records read back from the spool that are this process's own (parked, pending here). */
  readonly #own = new WeakSet<LogRecord>();
  /** This process's lines in the spool, oldest first: each record's fate when it went to several targets. */
  readonly #fates = new ParkedFates();
  /** Records whose attempt was out, unanswered, when the transport gave up on them. */
  #unansweredCount = 0;
  /**
   * Reads of the spool a close leaves there after an attempt that may have arrived (timed
   * out): moved to its end, marked, once nothing more is parked (see moveReplayMarked).
   */
  #replaysToMark: Batch[] = [];
  #replayTimer: NodeJS.Timeout | undefined;
  #pumpScheduled = false;
  #keepAlive: NodeJS.Timeout | undefined;
  /** A batch settled and the spool may have more: read it once the batch's slot is free. */
  #replayWanted = false;
  #stopped = false;
  /**
   * When a close gives up sending (`retry.deadlineMs` after it began): each batch kept its own
   * deadline from its first send, so a backlog of batches behind a destination that never
   * answers held a close without a timeout for the backlog's length (40 batches, a minute).
   */
  #closeBy = Number.POSITIVE_INFINITY;
  /** Set once nothing more will be sent: later records are parked or failed at once, with it. */
  #gaveUp: Error | undefined;
  #batches = 0;
  #items = 0;
  #retries = 0;
  #splits = 0;
  #batchMs = 0;
  #inFlight = 0;
  #replayed = 0;
  #replayFailed = 0;
  #spooledCount = 0;
  #spoolDropped = 0;
  #adoptedDropped = 0;

  constructor(processor: BatchProcessor, options: BatchTransportOptions = {}) {
    super(options);
    this.#processor = processor;
    this.#maxRecords = options.batch?.maxRecords ?? 1000;
    this.#size = options.size ?? ((record) => record.json().length);
    this.#maxBytes = options.batch?.maxBytes ?? 1024 * 1024;
    this.#intervalMs = options.batch?.intervalMs ?? 1000;
    this.#batcher = new Batcher(
      {
        maxItems: this.#maxRecords,
        maxBytes: this.#maxBytes,
        intervalMs: this.#intervalMs,
      },
      (records) => this.#enqueue(records),
    );
    this.#retry = {
      maxAttempts: options.retry?.maxAttempts ?? 8,
      baseMs: options.retry?.baseMs ?? 500,
      maxMs: options.retry?.maxMs ?? 30_000,
      deadlineMs: options.retry?.deadlineMs ?? 300_000,
    };
    this.#concurrency = options.concurrency ?? 1;
    this.#saysWhenWritten = options.saysWhenWritten === true;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#spoolOptions = options.spool;
    this.#memoryRecords = options.spool?.memoryRecords ?? this.#maxRecords * 4;
  }

  /** See batchSettings: what it runs by, read by the test of the documented defaults. */
  [batchSettings](): BatchSettings {
    return {
      maxRecords: this.#maxRecords,
      maxBytes: this.#maxBytes,
      intervalMs: this.#intervalMs,
      concurrency: this.#concurrency,
      timeoutMs: this.#timeoutMs,
      retry: { ...this.#retry },
    };
  }

  /** The spool is claimed once the transport is in a logger: its id names the file, the logger revives lines. */
  protected override servicesAttached(_services: TransportServices): void {
    const options = this.#spoolOptions;
    if (options === undefined || this.#reads !== undefined) return;
    const name = options.name ?? this.id;
    const spool = Spool.claim(options.dir, name);
    const problem = spool.problem;
    if (problem !== undefined) this.report(`spool not used: ${problem.message}`, problem);
    this.#useSpool(spool);
    // Once every target of the logger has claimed its spool: one of them sharing the folder
    // held no lock yet, and its live file was named as a stray to remove.
    const family = options.family;
    if (family !== undefined) setImmediate(() => this.#reportStraySpools(options.dir, family, name));
  }

  #useSpool(spool: Spool): void {
    this.#reads = new SpoolReads(spool);
    this.#adoptedLeft = spool.count;
    for (const skipped of spool.skipped) this.report(`spool file passed over: ${skipped.message}`, skipped);
    spool.onTrouble = (message) => this.report(message);
    if (!spool.empty) setImmediate(() => this.#replayNext());
  }

  /** No claim of the spool again before this (monotonic ms). */
  #claimAgainAt = 0;

  /**
   * The spool's folder could not be used at the start (a full disk): it is claimed again, at
   * most once a second, when records are to be parked, or it would fail them for as long as
   * the process lives. The spool it replaces never held a line.
   */
  #claimSpoolAgain(reads: SpoolReads): SpoolReads {
    const options = this.#spoolOptions;
    const now = monotonicMs();
    if (options === undefined || now < this.#claimAgainAt) return reads;
    this.#claimAgainAt = now + SPOOL_CLAIM_AGAIN_MS;
    const spool = Spool.claim(options.dir, options.name ?? this.id);
    if (spool.problem !== undefined) {
      spool.close();
      return reads;
    }
    reads.spool.close();
    this.report(`spool ${spool.path} is used now`);
    this.#useSpool(spool);
    return this.#reads!;
  }

  #reportStraySpools(dir: string, family: string, name: string): void {
    for (const stray of straySpools(dir, family, name)) {
      this.report(
        `spool ${stray.path} holds ${stray.bytes} bytes of records for another destination (a changed url or ` +
          'preset?) that no logger sends: ship them with `streamlog ship` and a config for that destination, ' +
          'then remove the file',
      );
    }
  }

  /** Records held and not on disk: a subclass's own `pending` or `parked` does not change them. */
  #heldInMemory(): number {
    return pendingOf(this) - parkedOf(this);
  }

  protected handle(record: LogRecord): void {
    if (this.#gaveUp !== undefined) {
      this.#parkOrFail([record], this.#gaveUp);
      return;
    }
    // Once this process's records wait on disk the newer follow them there (order is kept),
    // and beyond the in-memory bound they wait there rather than in the heap.
    if (this.#reads !== undefined && (this.#ownUnread > 0 || this.#heldInMemory() > this.#memoryRecords)) {
      this.#parkOrFail([record], new Error('could not be parked'));
      this.#replaySoon();
      return;
    }
    keepFlat(record);
    this.#batcher.add(record, this.#size(record));
  }

  /** This process's records in the spool not yet read back. */
  get #ownUnread(): number {
    return this.#reads === undefined ? 0 : this.#reads.spool.count - this.#adoptedLeft;
  }

  protected override startFlush(): void {
    this.#batcher.cut();
    this.#holdProcessOpen();
  }

  /**
   * Someone waits (a flush, a close): the process must not end under them. Backoffs and
   * sockets do not keep it alive on their own (so a script's end is decided by the exit
   * path, bounded by exitTimeoutMs), so while a waiter is there a timer does.
   */
  #holdProcessOpen(): void {
    for (const timer of this.#waiting.keys()) timer.ref();
    if (this.#keepAlive !== undefined || !this.flushRequested()) return;
    this.#keepAlive = setInterval(() => {
      if (this.flushRequested() && !this.#stopped) return;
      clearInterval(this.#keepAlive);
      this.#keepAlive = undefined;
    }, 50);
  }

  /** For a close: send what is gathered; with a spool, what would wait out a backoff is parked now. */
  protected override startClose(): void {
    this.#closeBy = Math.min(this.#closeBy, monotonicMs() + this.#retry.deadlineMs);
    this.#batcher.cut();
    this.#holdProcessOpen();
    if (this.#reads === undefined) return;
    // A batch waiting out a backoff: the destination refuses for now (a 503, a Retry-After of a
    // minute). The batches behind it are parked with it rather than each sent once, at once: a
    // burst of a request per batch, at the close, against a destination that asked for quiet.
    const refusing = this.#waiting.size > 0;
    const parked = refusing ? [...this.#waiting.values(), ...this.#ready.splice(0)] : [...this.#waiting.values()];
    for (const timer of this.#waiting.keys()) clearTimeout(timer);
    this.#waiting.clear();
    for (const batch of parked) {
      if (batch.read === undefined) {
        this.#parkOrFail(batch.records, new Error('could not be parked at close'), batch.uncertain === true);
      } else if (batch.uncertain === true) this.#replaysToMark.push(batch);
    }
    // Their slots are free: the batches behind them (none when the destination refuses) get their one attempt now.
    this.#pump();
  }

  override giveUpSync(reason: Error): void {
    if (this.#gaveUp !== undefined) return;
    this.#gaveUp = reason;
    this.#batcher.close();
    if (this.#replayTimer !== undefined) clearTimeout(this.#replayTimer);
    for (const timer of this.#waiting.keys()) clearTimeout(timer);
    for (const attempt of this.#attempts) attempt.abort(reason);
    // Batches read from the spool are still in it (their reads are not committed).
    const batches = [...this.#ready, ...this.#waiting.values(), ...this.#sending, ...this.#held]
      .filter((b) => b.read === undefined)
      .sort((a, b) => compareOrder(a.order, b.order));
    const sent = new Set([...this.#sending].filter((batch) => batch.written === true && this.#saysWhenWritten));
    const replays = [...sent].filter((batch) => batch.read !== undefined);
    const rest = this.#batcher.drain();
    this.#ready.length = 0;
    this.#waiting.clear();
    this.#sending.clear();
    this.#held.clear();
    // At least once: an attempt out, written, may have reached the destination. Parked, its
    // lines say so (a resend of them, by this process or the next, counts in possibleDuplicates);
    // failed, its reason does. Runs of one kind go together: one failure said per run.
    const runs: { kind: 'certain' | 'uncertain' | 'unanswered'; records: LogRecord[] }[] = [];
    const add = (kind: (typeof runs)[number]['kind'], records: readonly LogRecord[]): void => {
      let last = runs[runs.length - 1];
      if (last?.kind !== kind) {
        last = { kind, records: [] };
        runs.push(last);
      }
      for (const record of records) last.records.push(record);
    };
    for (const batch of batches) {
      const unanswered = sent.has(batch);
      if (unanswered) this.#unansweredCount += batch.records.length;
      add(unanswered ? 'unanswered' : batch.uncertain === true ? 'uncertain' : 'certain', batch.records);
    }
    add('certain', rest);
    for (const { kind, records } of runs) {
      this.#parkOrFail(records, kind === 'unanswered' ? UNANSWERED : reason, kind !== 'certain');
    }
    // Last: nothing is parked behind them, so what the spool's bound drops, by position, is
    // what it takes for this process's own or an earlier one's.
    for (const batch of replays) if (this.#moveReplayMarked(batch)) this.#unansweredCount += batch.records.length;
    this.#markReplaysLeft();
    // The process may end without a close: the spool is made ready for the next start now.
    this.#reads?.spool.keepForNextOwner();
  }

  /**
   * A read of the spool whose attempt may have reached the destination (out, written and
   * unanswered when the transport gives up; timed out when a close leaves it in the spool):
   * its lines stayed in the spool, and the next process sent them again counted nowhere.
   * They are written again at the spool's end, marked (see UNCERTAIN_MARK), and the read is
   * committed where they were. A write that fails leaves them there, unmarked: sent again,
   * not lost. Whether they were moved.
   */
  #moveReplayMarked(batch: Batch): boolean {
    const reads = this.#reads;
    const read = batch.read;
    // Moved only whole: a read halved (bisected) and committed for one half lost the other.
    if (reads === undefined || read === undefined || read.left !== batch.records.length || read.left === 0) {
      return false;
    }
    try {
      for (const record of batch.records) reads.spool.append(UNCERTAIN_MARK + record.json());
    } catch {
      return false;
    }
    reads.settle(read, read.left);
    return true;
  }

  protected override async closeResources(): Promise<void> {
    await this.replayAnswered();
    this.#shutDown();
  }

  /**
   * A read of the spool being sent is committed only when its answer comes: cut off by the
   * close, a replay the destination took was sent again at every start, and `streamlog ship`
   * of a spool sent its first batch again and again and never the rest. Its answer is waited
   * for (the request has its own deadline; a close with a timeout destroys the transport).
   */
  override async replayAnswered(): Promise<void> {
    while (!this.#stopped && this.#gaveUp === undefined && this.replaying) {
      await new Promise((resolve) => setTimeout(resolve, REPLAY_POLL_MS));
    }
  }

  override get replaying(): boolean {
    for (const batch of this.#sending) if (batch.read !== undefined) return true;
    return false;
  }

  /** The reads a close left in the spool after an attempt that may have arrived: marked now. */
  #markReplaysLeft(): void {
    const replays = this.#replaysToMark;
    this.#replaysToMark = [];
    for (const batch of replays) this.#moveReplayMarked(batch);
  }

  #shutDown(): void {
    if (!this.#stopped) this.#markReplaysLeft();
    this.#stopped = true;
    clearInterval(this.#keepAlive);
    this.#batcher.close();
    if (this.#replayTimer !== undefined) clearTimeout(this.#replayTimer);
    for (const timer of this.#waiting.keys()) clearTimeout(timer);
    for (const attempt of this.#attempts) attempt.abort(new Error('transport closed'));
    this.#reads?.spool.close();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#shutDown();
    callback(error);
  }

  protected override extraStats(): BatchStats & Extra {
    const stats: BatchStats = {
      batches: this.#batches,
      items: this.#items,
      retries: this.#retries,
      splits: this.#splits,
      averageBatchSize: this.#batches === 0 ? 0 : this.#items / this.#batches,
      averageBatchMs: this.#batches === 0 ? 0 : this.#batchMs / this.#batches,
      buffered: this.#batcher.length,
      queuedBatches: this.#ready.length,
      // Once closed or given up, what a processor has not answered is settled (or parked): an
      // attempt that ignores its abort is no longer the transport's, however long it runs on.
      inFlight: this.#stopped || this.#gaveUp !== undefined ? 0 : this.#inFlight,
      replayed: this.#replayed,
      replayFailed: this.#replayFailed,
      spooledForLater: this.#spooledCount,
      spoolDropped: this.#spoolDropped,
      spoolLines: this.#reads === undefined ? 0 : this.#reads.spool.count + this.#reads.outstanding,
      adoptedDropped: this.#adoptedDropped,
      unanswered: this.#unansweredCount,
    };
    return stats as BatchStats & Extra;
  }

  /** Parks records in the spool within its bound; without one (or a disk that refuses) they fail with `reason`. */
  #parkOrFail(records: LogRecord[], reason: Error, uncertain = false): void {
    if (records.length === 0) return;
    let reads = this.#reads;
    if (reads?.spool.claimAgain === true) reads = this.#claimSpoolAgain(reads);
    if (reads === undefined) {
      this.#fail(records, reason);
      return;
    }
    const maxBytes = this.#spoolOptions?.maxBytes ?? DEFAULT_SPOOL_MAX_BYTES;
    let parked = 0;
    try {
      for (const record of records) {
        const line = uncertain ? UNCERTAIN_MARK + record.json() : record.json();
        const dropped = reads.spool.makeRoom(Buffer.byteLength(line), maxBytes, reads.outstanding === 0);
        if (dropped.length > 0) this.#droppedFromSpool(dropped);
        reads.spool.append(line);
        this.#fates.push(record);
        // Counted at once: the next record's makeRoom may drop this very line again.
        this.park(1);
        this.#spooledCount++;
        parked++;
      }
    } catch (error) {
      this.#fail(records.slice(parked), toError(error));
    }
  }

  /** The close's deadline passed: what waits for a slot is not sent (its lines from a spool stay there). */
  #failPastClose(): void {
    const reason = new Error(`not sent within retry.deadlineMs (${this.#retry.deadlineMs} ms) of the close`);
    for (const batch of this.#ready.splice(0)) {
      if (batch.read === undefined) this.#parkOrFail(batch.records, reason, batch.uncertain === true);
      else if (batch.uncertain === true) this.#replaysToMark.push(batch);
    }
  }

  /** The oldest spooled lines, dropped for the bound: counted; this process's own settle as dropped. */
  #droppedFromSpool(lines: string[]): void {
    const reason = dropReason('dropped: the spool is over its maxBytes');
    this.#spoolDropped += lines.length;
    const adopted = Math.min(this.#adoptedLeft, lines.length);
    this.#adoptedLeft -= adopted;
    this.#adoptedDropped += adopted;
    const records = lines.map((line) => this.#revive(line));
    for (const record of records.slice(0, adopted)) this.services?.deadLetter(record, reason);
    const mine = records.slice(adopted);
    for (const record of mine) carryFate(record, this.#fates.shift());
    this.unpark(mine.length);
    this.#fail(mine, reason);
  }

  #revive(line: string): LogRecord {
    return this.services!.revive(line);
  }

  /**
   * The next read of the spool, when a slot is free: what an earlier process left first,
   * then ours. One read at a time, so the spool arrives oldest first (Loki, for one, wants
   * a stream in order).
   */
  #replayNext(): void {
    const reads = this.#reads;
    if (reads === undefined || this.#stopped || this.closeRequested() || this.#gaveUp !== undefined) return;
    const free = this.#inFlight + this.#ready.length + this.#waiting.size < this.#concurrency;
    if (free && reads.outstanding === 0 && !reads.spool.empty) {
      // Cut as the batcher cuts: at maxRecords, or at the line that reaches maxBytes.
      const { lines, read } = reads.take(this.#maxRecords, this.#maxBytes);
      if (lines.length === 0) return; // only a torn line left: nothing to send
      const records = lines.map((line) => this.#revive(line));
      const adopted = Math.min(this.#adoptedLeft, records.length);
      this.#adoptedLeft -= adopted;
      let uncertainRecords: Set<LogRecord> | undefined;
      for (let i = 0; i < records.length; i++) {
        if (i >= adopted) {
          this.#own.add(records[i]!);
          carryFate(records[i]!, this.#fates.shift());
        }
        // Parked after an attempt with no answer, by this process or an earlier one.
        if (lines[i]!.charCodeAt(0) === UNCERTAIN_MARK_CODE) {
          uncertainRecords ??= new Set();
          uncertainRecords.add(records[i]!);
        }
      }
      this.#ready.push({ records, order: [this.#batchesMade++], attempt: 0, firstSent: 0, read, uncertainRecords });
    }
    this.#pump();
  }

  /** Replays on the next turn, unless a replay is under way or waiting for the destination. */
  #replaySoon(): void {
    if (this.#replayTimer !== undefined || this.#reads!.outstanding > 0) return;
    this.#replayLater(0);
  }

  #replayLater(delayMs: number): void {
    if (this.#replayTimer !== undefined || this.#stopped) return;
    this.#replayTimer = setTimeout(() => {
      this.#replayTimer = undefined;
      this.#replayNext();
    }, delayMs);
    this.#replayTimer.unref();
  }

  /** A gathered batch, ready to send. */
  #enqueue(records: LogRecord[]): boolean {
    this.#ready.push({ records, order: [this.#batchesMade++], attempt: 0, firstSent: 0 });
    // Batches are processed once the caller's own work yields, never inside a log call.
    if (!this.#pumpScheduled) {
      this.#pumpScheduled = true;
      setImmediate(this.#onPump);
    }
    return true;
  }

  readonly #onPump = (): void => {
    this.#pumpScheduled = false;
    this.#pump();
  };

  #pump(): void {
    if (this.#ready.length > 0 && monotonicMs() >= this.#closeBy) this.#failPastClose();
    // A batch waiting out a backoff keeps its slot: with concurrency 1 batches stay in order,
    // and a destination that is down is not sent more while earlier batches wait.
    while (
      this.#inFlight + this.#waiting.size < this.#concurrency &&
      this.#ready.length > 0 &&
      !this.#stopped &&
      this.#gaveUp === undefined
    ) {
      const batch = this.#ready.shift()!;
      this.#inFlight++;
      this.#sending.add(batch);
      void this.#attempt(batch).finally(() => {
        this.#inFlight--;
        this.#sending.delete(batch);
        if (this.#replayWanted) {
          this.#replayWanted = false;
          this.#replayNext();
        }
        this.#pump();
      });
    }
  }

  async #attempt(batch: Batch): Promise<void> {
    // A monotonic clock: a wall clock set back or forward must not give up, or keep, a batch.
    const started = monotonicMs();
    if (batch.firstSent === 0) batch.firstSent = started;
    const controller = new AbortController();
    this.#attempts.add(controller);
    let verdict: Verdict;
    // Its own frozen copy: a processor that edits the array cannot unsettle the records.
    const records = Object.freeze(batch.records.slice());
    /** Indexes the processor settled early; over once the attempt is. */
    let early: Set<number> | undefined = new Set<number>();
    /** Why a record settled early was refused, if one was. */
    let refusedEarly: Error | undefined;
    try {
      const settle = (indexes: readonly number[], reason?: Error): void => {
        if (early === undefined || this.#gaveUp !== undefined || this.#stopped || !this.#sending.has(batch)) return;
        const now: LogRecord[] = [];
        // Read whole before any is taken: an iterator that throws halfway settles none.
        for (const index of Array.from(indexList(indexes))) {
          if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= records.length) continue;
          if (early.has(index)) continue;
          early.add(index);
          now.push(records[index]!);
        }
        if (now.length === 0) return;
        // Off the batch first: a give-up that settling triggers (a listener that exits) must not settle them again.
        const gone = new Set(now);
        batch.records = batch.records.filter((record) => !gone.has(record));
        const refused = reason === undefined ? undefined : toError(reason);
        refusedEarly ??= refused;
        this.#settled(batch, refused === undefined ? now : [], refused === undefined ? [] : [[now, refused]]);
      };
      batch.written = false;
      const info: BatchInfo = {
        attempt: batch.attempt,
        replay: batch.read !== undefined,
        signal: controller.signal,
        settle,
        written: () => {
          batch.written = true;
        },
      };
      verdict = verdictOf(await this.#withDeadline(this.#processor(records, info), controller), records.length);
    } catch (error) {
      const reason = toError(error);
      if ((reason as { outcomeUnknown?: unknown }).outcomeUnknown !== false) batch.uncertain = true;
      verdict = { kind: 'retry', reason };
    } finally {
      this.#attempts.delete(controller);
    }
    const settledEarly = early;
    early = undefined;
    if (settledEarly.size > 0) verdict = withoutSettled(verdict, settledEarly, records.length);
    if (verdict.kind === 'retry' && (verdict.reason as { outcomeUnknown?: unknown }).outcomeUnknown === true) {
      batch.uncertain = true;
    }
    // Given up meanwhile: the records were parked or failed then; a late answer changes nothing.
    if (this.#gaveUp !== undefined || this.#stopped) return;
    // Settled from here on: a give-up that user code triggers while these settle (a listener
    // that exits) must not take them for held records and settle them twice.
    this.#sending.delete(batch);
    const durationMs = monotonicMs() - started;
    this.#batches++;
    // The attempt's records: those the processor settled early have left the batch by now.
    this.#items += records.length;
    this.#batchMs += durationMs;
    if (this.listenerCount('batchProcessed') > 0) {
      const event: BatchProcessed = {
        records: records.length,
        attempt: batch.attempt,
        durationMs,
        outcome: verdict.kind,
      };
      this.emit('batchProcessed', event);
    }
    // Every record was settled early: nothing is left to apply the answer to. A half or a probe
    // still answers for its sibling and for the pieces waiting on it, as its records settled
    // (taken, or refused otherwise than the batch was), else those would be held for ever.
    if (batch.records.length === 0) {
      const answered: Verdict =
        refusedEarly === undefined ? { kind: 'delivered' } : { kind: 'fail', reason: refusedEarly };
      if (batch.probe !== undefined) this.#probed(batch, batch.probe, answered);
      if (batch.half !== undefined && !batch.half.decided) this.#bothHalves(batch, batch.half, answered);
      return;
    }
    this.#apply(batch, verdict);
  }

  /** The processor's answer, or a rejection once `timeoutMs` passes (the attempt is aborted). */
  #withDeadline(answer: BatchResult | Promise<BatchResult>, controller: AbortController): Promise<BatchResult> {
    if (!isThenable<BatchResult>(answer)) return Promise.resolve(answer);
    // A bound no timer holds (Infinity, NaN, past 24.8 days: from code) is none: Node would fire
    // it after 1 ms, and every attempt would fail as unanswered.
    if (!timerHolds(this.#timeoutMs)) return Promise.resolve(answer);
    return new Promise<BatchResult>((resolve, reject) => {
      let answered = false;
      // After this turn's reads (see afterReads): an answer that came while the process was
      // frozen settles the attempt, rather than a resend of the whole batch.
      const timer = setTimeout(
        () =>
          afterReads(() => {
            if (answered) return;
            const reason = new Error(`no answer within ${this.#timeoutMs} ms`);
            controller.abort(reason);
            reject(reason);
          }),
        this.#timeoutMs,
      );
      timer.unref();
      Promise.resolve(answer).then(
        (value) => {
          answered = true;
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          answered = true;
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  #apply(batch: Batch, verdict: Verdict): void {
    if (batch.probe !== undefined && this.#probed(batch, batch.probe, verdict)) return;
    if (batch.half !== undefined && !batch.half.decided && this.#bothHalves(batch, batch.half, verdict)) return;
    const records = batch.records;
    switch (verdict.kind) {
      case 'delivered':
        this.#settled(batch, records, []);
        // Emptied, not just dropped: an array that was moved to the old generation stays there,
        // dead, until a full collection, and until then every young collection takes what it
        // still points at for live and moves it to the old generation too (about 40% of a
        // burst's records, 17 MB for 200,000, each page of it a first touch).
        records.length = 0;
        return;
      case 'retry':
        this.#retryLater(batch, verdict.reason, verdict.retryAfterMs);
        return;
      case 'split':
      case 'bisect': {
        const half = batch.half;
        const key = refusalKey(verdict.reason);
        const family = half?.kind === verdict.kind && half.key === key ? half.family : undefined;
        this.#halve(batch, verdict.kind, verdict.reason, family);
        return;
      }
      case 'fail': {
        // A read of the spool refused whole (bad credentials, a missing table, a server error)
        // says nothing of its records: they stay on disk and are tried again later. Failed,
        // an expired token emptied the spool of everything an outage had kept.
        if (batch.read !== undefined) {
          this.#retryLater(batch, verdict.reason, undefined);
          return;
        }
        const reason = verdict.circuit ? Object.assign(verdict.reason, { openCircuit: true }) : verdict.reason;
        this.#settled(batch, [], [[records, reason]]);
        return;
      }
      case 'partial': {
        const retry = new Set(verdict.retry);
        const delivered = records.filter((_, i) => !verdict.failed.has(i) && !retry.has(i));
        const failed = [...verdict.failed].map(([index, reason]): [LogRecord[], Error] => [[records[index]!], reason]);
        this.#settled(batch, delivered, failed);
        if (retry.size > 0) {
          const again = { ...batch, records: records.filter((_, i) => retry.has(i)) };
          // Sent, unanswered: the destination may hold them, and a later delivery may be a second copy.
          if (verdict.outcomeUnknown === true) again.uncertain = true;
          this.#retryLater(again, verdict.reason ?? new Error('some records were refused for now'), undefined);
        }
        return;
      }
    }
  }

  /**
   * Halves a refused batch (a single record fails with the reason). The halves go first, in
   * order; each remembers how their batch was refused, so that when both are refused alike
   * the refusal is known to be the batch's, not a record's.
   */
  #halve(batch: Batch, kind: 'split' | 'bisect', reason: Error, family: RefusalFamily | undefined): void {
    const records = batch.records;
    if (records.length === 1 || family?.state === 'hopeless') {
      this.#settled(batch, [], [[records, reason]]);
      return;
    }
    this.#splits++;
    const key = refusalKey(reason);
    const half: Halves = {
      kind,
      key,
      family: family ?? { kind, key, state: 'none', waiting: [], refusedAlone: 0 },
      decided: false,
    };
    const middle = Math.ceil(records.length / 2);
    const halves = [records.slice(0, middle), records.slice(middle)];
    this.#ready.unshift(
      ...halves.map(
        (part, i): Batch => ({ ...batch, records: part, order: [...batch.order, i], half, probe: undefined }),
      ),
    );
    this.#pump();
  }

  /**
   * A half of a refused batch answered. Refused like the batch: the first to answer so is
   * held until its sibling answers. When both are, a record alone tells whether the refusal
   * is the whole batch's (a receiver that refuses everything, an unknown table: the batch
   * fails, six requests for poison, four for too large, not one per record and more) or its
   * records' (poison in both halves, a batch several times too large: halving goes on).
   * Answered otherwise: a held sibling is halved on. True when the answer is handled here.
   */
  #bothHalves(batch: Batch, half: Halves, verdict: Verdict): boolean {
    const alike = verdict.kind === half.kind && refusalKey(verdict.reason) === half.key;
    const sibling = half.held;
    if (!alike) {
      half.decided = true;
      if (sibling !== undefined) {
        half.held = undefined;
        this.#held.delete(sibling.batch);
        this.#halve(sibling.batch, half.kind, sibling.reason, half.family);
      }
      return false;
    }
    if (sibling === undefined) {
      half.held = { batch, reason: verdict.reason };
      this.#held.add(batch);
      return true;
    }
    half.decided = true;
    half.held = undefined;
    this.#held.delete(sibling.batch);
    const both = [sibling, { batch, reason: verdict.reason }];
    const family = half.family;
    // Two records, each refused alone: they stand alone, nothing is left to learn.
    if (family.state === 'fits' || (sibling.batch.records.length === 1 && batch.records.length === 1)) {
      for (const { batch: part, reason } of both) this.#halve(part, family.kind, reason, family);
      return true;
    }
    if (family.state === 'hopeless') {
      for (const { batch: part, reason } of both) this.#settled(part, [], [[part.records, reason]]);
      return true;
    }
    // Halving on is right for poison in both halves (ClickHouse refuses a whole insert for one
    // bad row: two of them in a batch of 1,000 failed the other 998) or a batch a few times
    // too large, and costs a request per record with a receiver that takes nothing. One
    // record alone tells which (a probe already out tells for these too).
    const probe = family.state === 'none';
    if (probe) {
      const chosen = family.kind === 'split' ? this.#smallest(sibling.batch.records) : 0;
      const left = this.#sendAlone(family, sibling, chosen);
      if (left === undefined) both.shift();
      else both[0] = left;
    }
    this.#wait(family, both);
    if (probe) this.#pump();
    return true;
  }

  /**
   * One record of a waiting piece, at `chosen`, sent alone as the family's probe; the piece
   * less that record, or undefined when none is left to wait: a rest of one record was only
   * ever refused with the probe's, and goes alone too (halving it would fail it untried).
   */
  #sendAlone(family: RefusalFamily, piece: Refused, chosen: number): Refused | undefined {
    family.state = 'pending';
    const records = piece.batch.records;
    const rest = records.filter((_, i) => i !== chosen);
    const alone: Batch = { ...piece.batch, records: [records[chosen]!], half: undefined, probe: family };
    if (rest.length > 1) {
      this.#ready.unshift(alone);
      return { batch: { ...piece.batch, records: rest }, reason: piece.reason };
    }
    const untried = rest.map((r): Batch => ({ ...piece.batch, records: [r], half: undefined, probe: undefined }));
    this.#ready.unshift(alone, ...untried);
    return undefined;
  }

  /** Pieces refused alike, held until the family's probe answers. */
  #wait(family: RefusalFamily, pieces: readonly Refused[]): void {
    for (const piece of pieces) {
      family.waiting.push(piece);
      this.#held.add(piece.batch);
    }
  }

  /**
   * Another record of a batch holding poison alone, taken from the pieces waiting in turn
   * (the first probe's came from the first of them); the pieces wait on for its answer.
   */
  #probeAgain(family: RefusalFamily, waiting: Refused[]): void {
    const at = family.refusedAlone % waiting.length;
    const left = this.#sendAlone(family, waiting[at]!, 0);
    if (left === undefined) waiting.splice(at, 1);
    else waiting[at] = left;
    this.#wait(family, waiting);
    this.#pump();
  }

  /** The index of the smallest record: if even it is too large, none fits. */
  #smallest(records: readonly LogRecord[]): number {
    let smallest = 0;
    for (let i = 1; i < records.length; i++) if (this.#size(records[i]!) < this.#size(records[smallest]!)) smallest = i;
    return smallest;
  }

  /**
   * The answer to a probe: one record of a refused batch, alone (the smallest of one too
   * large). Taken: the pieces waiting are halved on. Refused alike: nothing of the batch can
   * be taken, and all of it fails now. Anything else: the pieces are halved on, and the
   * probe's own answer applies to it. True when the answer is handled.
   */
  #probed(batch: Batch, family: RefusalFamily, verdict: Verdict): boolean {
    const alike = verdict.kind === family.kind && refusalKey(verdict.reason) === family.key;
    const waiting = family.waiting.splice(0);
    for (const { batch: part } of waiting) this.#held.delete(part);
    if (alike && family.kind === 'bisect' && family.refusedAlone + 1 < BISECT_PROBES && waiting.length > 0) {
      // Refused alone, the record is poison itself: it fails on its own answer, and another
      // record, from another piece, is sent alone in its place.
      family.refusedAlone++;
      this.#settled(batch, [], [[batch.records, verdict.reason]]);
      this.#probeAgain(family, waiting);
      return true;
    }
    if (alike) {
      family.state = 'hopeless';
      const size =
        batch.records.length + family.refusedAlone + waiting.reduce((sum, w) => sum + w.batch.records.length, 0);
      const why = (reason: Error) =>
        new Error(`${reason.message} (even one record alone: the batch of ${size} failed)`, { cause: reason });
      this.#settled(batch, [], [[batch.records, why(verdict.reason)]]);
      for (const { batch: part, reason } of waiting) this.#settled(part, [], [[part.records, why(reason)]]);
      return true;
    }
    family.state = verdict.kind === 'delivered' ? 'fits' : 'none';
    for (const { batch: part, reason } of waiting) this.#halve(part, family.kind, reason, family);
    batch.probe = undefined;
    return false;
  }

  /**
   * Records of a batch settled. For a batch read back from the spool, this process's own
   * records settle (they were parked); an earlier process's are counted here and
   * dead-lettered when refused; the read is committed once all its lines are settled.
   */
  #settled(batch: Batch, delivered: LogRecord[], failed: [LogRecord[], Error][]): void {
    const read = batch.read;
    if (batch.uncertain && delivered.length > 0) this.countPossibleDuplicates(delivered.length);
    else if (batch.uncertainRecords !== undefined && delivered.length > 0) {
      const again = delivered.filter((record) => batch.uncertainRecords!.has(record)).length;
      if (again > 0) this.countPossibleDuplicates(again);
    }
    // Named, not counted: with several batches in flight a later one can be answered first,
    // and a router with several targets counts which of them still hold each record.
    if (read === undefined) {
      if (delivered.length > 0) this.settleDelivered(delivered);
      for (const [records, reason] of failed) this.#fail(records, reason);
    } else {
      const owned = delivered.filter((r) => this.#own.has(r));
      this.unpark(owned.length);
      if (owned.length > 0) this.settleDelivered(owned);
      this.#replayed += delivered.length - owned.length;
      let count = delivered.length;
      for (const [records, reason] of failed) {
        count += records.length;
        const mine = records.filter((r) => this.#own.has(r));
        this.unpark(mine.length);
        this.#fail(mine, reason);
        const theirs = records.filter((r) => !this.#own.has(r));
        this.#replayFailed += theirs.length;
        for (const record of theirs) this.services?.deadLetter(record, reason);
      }
      this.#reads!.settle(read, count);
    }
    // The destination answered: whatever waits on disk may follow, once this slot is free.
    if (this.#reads !== undefined && (delivered.length > 0 || read !== undefined)) this.#replayWanted = true;
  }

  #fail(records: LogRecord[], reason: Error): void {
    if (records.length === 0) return;
    // Tried as the retry policy says: a wrapper (buffered) must not start it over.
    markFinal(reason);
    if (this.listenerCount('itemFailed') > 0) {
      for (const record of records) {
        this.emit('itemFailed', record, reason);
      }
    }
    this.settleFailed(records, reason);
  }

  /**
   * Backoff with full jitter, capped; the destination's own delay is honoured up to `maxMs`
   * when it is the longer.
   * Past maxAttempts or the deadline (or at a close) records are parked when there is a
   * spool, else failed; lines read back from the spool are on disk already and wait there.
   */
  #retryLater(batch: Batch, reason: Error, serverDelay: number | undefined): void {
    const attempt = batch.attempt + 1;
    const { baseMs, maxMs } = this.#retry;
    // The destination's delay is a least wait: one shorter than the backoff (0, or a date past
    // by a clock ahead of the server's) would retry at a fixed rate, a fleet in step.
    const delay =
      serverDelay === undefined
        ? backoffMs(batch.attempt, baseMs, maxMs, true)
        : retryWaitMs(batch.attempt, baseMs, maxMs, serverDelay);
    const now = monotonicMs();
    const retryAt = now + delay;
    const pastClose = retryAt > this.#closeBy;
    const exhausted =
      attempt >= this.#retry.maxAttempts || retryAt - batch.firstSent > this.#retry.deadlineMs || pastClose;
    // Refused at a close, with no time (or no need) to wait: the destination refuses for now,
    // and each batch behind would be sent once, at once, a burst against it (31 requests in
    // 25 ms). They are failed, or parked, with this one.
    if (pastClose || (this.closeRequested() && this.#reads !== undefined)) this.#closeBy = Math.min(this.#closeBy, now);
    if (batch.read !== undefined) {
      // Already on disk: at a close it stays there (marked, when it may have arrived); otherwise
      // it is tried again.
      if (this.closeRequested()) {
        if (batch.uncertain === true) this.#replaysToMark.push(batch);
        return;
      }
    } else if (this.#reads !== undefined && (exhausted || this.closeRequested())) {
      this.#parkOrFail(
        batch.records,
        new Error(`could not be parked after ${attempt} attempt(s)`),
        batch.uncertain === true,
      );
      // Soon: the read that goes out then waits out its own backoff while the destination is down.
      this.#replayLater(baseMs);
      return;
    } else if (exhausted) {
      const gaveUp = new Error(`gave up after ${attempt} attempt(s): ${reason.message}`, { cause: reason });
      this.#settled(batch, [], [[batch.records, gaveUp]]);
      return;
    }
    this.#retries++;
    const timer = setTimeout(() => {
      this.#waiting.delete(timer);
      this.#ready.unshift({ ...batch, attempt });
      this.#pump();
    }, delay);
    // A pending retry does not keep the process alive (the exit path decides what happens
    // then), unless a flush or a close is waiting for it.
    if (!this.flushRequested()) timer.unref();
    this.#waiting.set(timer, batch);
  }
}

/**
 * An answer about a whole batch made to fit what is left of it once the records the processor
 * settled early are gone: a per-record answer loses their indexes and renumbers the rest.
 */
function withoutSettled(verdict: Verdict, settled: Set<number>, size: number): Verdict {
  if (verdict.kind !== 'partial') return verdict;
  const renumbered: number[] = [];
  let next = 0;
  for (let i = 0; i < size; i++) renumbered.push(settled.has(i) ? -1 : next++);
  const failed = new Map<number, Error>();
  for (const [index, reason] of verdict.failed) if (!settled.has(index)) failed.set(renumbered[index]!, reason);
  const retry = verdict.retry.filter((index) => !settled.has(index)).map((index) => renumbered[index]!);
  if (failed.size === 0 && retry.length === 0) return { kind: 'delivered' };
  return { ...verdict, failed, retry };
}

/** Which refusals are alike: by status where the reason carries one, else by message. */
function refusalKey(reason: Error): string {
  const status = (reason as { status?: unknown }).status;
  return typeof status === 'number' ? `status ${status}` : `message ${reason.message}`;
}

/** `settle(0)` is taken as `settle([0])`; what is neither a number nor a list (a string) is a clear mistake. */
function indexList(indexes: unknown): Iterable<unknown> {
  if (typeof indexes === 'number') return [indexes];
  const iterable = indexes as { [Symbol.iterator]?: unknown } | null | undefined;
  // A string is iterable too, by characters: settle('12') is a mistake, not records 1 and 2.
  if (iterable == null || typeof indexes === 'string' || typeof iterable[Symbol.iterator] !== 'function') {
    const got = indexes === null ? 'null' : typeof indexes;
    throw new TypeError(`settle(indexes): expected an array of the batch's record indexes, got ${got}`);
  }
  return iterable as Iterable<unknown>;
}
