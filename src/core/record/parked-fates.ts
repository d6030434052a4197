import { type Fate, fateOf, impl, type LogRecord } from './log-record.js';
import { Queue } from '../util/queue.js';

/**
 * Fates kept in memory at the most: each costs about 110 bytes of heap, so a spool of records
 * sent to several targets, parked through a long outage, would otherwise hold memory in
 * proportion to the disk it fills. Past this, parked lines keep only their tag in the router's
 * RecordHolds, a number: the router recalls the record's target count, failures so far and
 * whether it is decided from it (a replay refused past the 100,000th was counted failed a
 * second time). The reasons of its earlier failures are not kept.
 */
export const MAX_KEPT_FATES = 100_000;

/**
 * The fates of parked lines (see fateOf), one entry per line in the order written, so the
 * n-th line read back takes the n-th fate; a tag alone, or undefined, for a line without one.
 */
export class ParkedFates {
  private readonly queue = new Queue<Fate | number | undefined>();
  private kept = 0;

  constructor(private readonly max = MAX_KEPT_FATES) {}

  get length(): number {
    return this.queue.length;
  }

  push(record: LogRecord): void {
    const tag = impl(record).holdTag;
    const fate = this.kept < this.max ? fateOf(record) : tag !== -1 ? tag : undefined;
    if (typeof fate === 'object') this.kept++;
    this.queue.push(fate);
  }

  shift(): Fate | number | undefined {
    const fate = this.queue.shift();
    if (typeof fate === 'object') this.kept--;
    return fate;
  }
}
