import { objectList } from '../util/array-kinds.js';
import { MAX_TIMER_MS } from './units.js';
/** When gathered items become a batch: by count, by bytes, or once this long has passed. */
export interface BatchLimits {
  maxItems: number;
  maxBytes: number;
  intervalMs: number;
}

/**
 * Gathers items into batches by count, bytes and time: the batching that `buffered` and
 * `http` (and any plugin) share. The consumer's `take` gets each batch and says whether it
 * took it; a busy consumer leaves the items gathered (more join them) and calls `cut()`
 * when it is ready again. A batch that must be tried again goes back in front, in order.
 */
export class Batcher<T> {
  private items: T[] = objectList();
  private gatheredBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The consumer refused a batch (busy): offered again at `ready()`, not only at the next limit. */
  private refused = false;

  constructor(
    private readonly limits: BatchLimits,
    private readonly take: (items: T[], bytes: number) => boolean,
  ) {}

  get length(): number {
    return this.items.length;
  }

  get bytes(): number {
    return this.gatheredBytes;
  }

  /** Is there a full batch's worth gathered? */
  get full(): boolean {
    return this.items.length >= this.limits.maxItems || this.gatheredBytes >= this.limits.maxBytes;
  }

  add(item: T, bytes: number): void {
    this.items.push(item);
    this.gatheredBytes += bytes;
    if (this.full) this.cut();
    else if (this.timer === undefined) {
      this.timer = setTimeout(this.onInterval, this.limits.intervalMs);
      this.timer.unref();
    }
  }

  /** Offers what is gathered now; it stays gathered if the consumer is busy. */
  cut(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.items.length === 0) return;
    const items = this.items;
    const bytes = this.gatheredBytes;
    this.items = objectList();
    this.gatheredBytes = 0;
    if (this.take(items, bytes)) {
      this.refused = false;
      return;
    }
    this.refused = true;
    this.items = this.items.length === 0 ? items : [...items, ...this.items];
    this.gatheredBytes += bytes;
  }

  /**
   * The consumer that refused is ready again: what it refused (or a full batch) is offered now,
   * and anything else gathered meanwhile gets its interval. Else items gathered while it was
   * busy waited, with no timer left, for the next full batch, flush or close.
   */
  ready(): void {
    if (this.items.length === 0) return;
    if (this.refused || this.full) this.cut();
    else if (this.timer === undefined) {
      this.timer = setTimeout(this.onInterval, this.limits.intervalMs);
      this.timer.unref();
    }
  }

  /** Puts items back in front of what is gathered, in their order. */
  putBack(items: T[], bytes: number): void {
    this.items = [...items, ...this.items];
    this.gatheredBytes += bytes;
  }

  /** Takes everything gathered out (the exit path). */
  drain(): T[] {
    const items = this.items;
    this.items = objectList();
    this.gatheredBytes = 0;
    return items;
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly onInterval = (): void => {
    this.timer = undefined;
    this.cut();
  };
}

/**
 * The wait before attempt `attempt + 1`: `baseMs` doubled per attempt, capped at `maxMs`;
 * with `jitter`, a random wait up to that (full jitter, so many senders do not retry in step).
 */
/**
 * The wait before attempt `attempt + 1` when the destination named one (Retry-After): a
 * least wait over the jittered backoff, honoured up to `maxMs`, and spread over a tenth of it
 * (at least `baseMs`): a fleet told the same wait must not come back in step.
 */
export function retryWaitMs(attempt: number, baseMs: number, maxMs: number, serverDelay: number): number {
  const backoff = backoffMs(attempt, baseMs, maxMs, true);
  if (serverDelay <= backoff) return backoff;
  const wait = Math.min(maxMs, serverDelay, MAX_TIMER_MS);
  const spread = Math.random() * Math.min(wait, Math.max(baseMs, wait / 10));
  // Past the cap, spread below it: maxMs stays the longest wait.
  return Math.max(backoff, wait === serverDelay ? Math.min(wait + spread, MAX_TIMER_MS) : wait - spread);
}

export function backoffMs(attempt: number, baseMs: number, maxMs: number, jitter: boolean): number {
  // Never past the longest timer Node can set: a longer one fires at once, and retries would storm.
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt, MAX_TIMER_MS);
  return jitter ? Math.random() * ceiling : ceiling;
}
