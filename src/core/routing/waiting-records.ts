import { keepFlat, type LogRecord } from '../record/log-record.js';
import { Queue } from '../util/queue.js';
import { LineRun, LineScratch, MAX_RUN_LINE_CHARS } from './line-run.js';

/**
 * Makes a record again from the line it waited as, with the level, time and message it
 * had: the same line, fields read back from it (bindings and context among them, as a
 * replayed record's), counted as sent to one target.
 */
export type ReviveWaiting = (line: string, level: number, time: number, msg: string | undefined) => LogRecord;

/** Decides whether a record may wait as its line: only one whose every part the line holds. */
export type MayWaitAsLine = (record: LogRecord) => boolean;

/**
 * The records that wait for one target in the router's queue, oldest first. During a burst
 * that nothing can be sent in (a loop that never yields, a backend outage) a queue holds
 * records by the hundred thousand, and the collector copies each of them, its fields, its
 * time and its line, from young space to old. A record that may (see MayWaitAsLine) waits
 * as its line instead, kept in a run of lines (see LineRun) off the collected heap: for lines
 * of one call site about 6 bytes each, against 150 as a string, and none that the collector
 * copies. It is
 * made a record again, from that line, when its target takes it. Any other record (sent to
 * more targets, which the router counts by the record itself; one that failed somewhere;
 * the logger's own) waits as itself, in order.
 */
export class WaitingRecords {
  private readonly items = new Queue<LogRecord | LineRun>();
  /** The run new lines go to: the last item, until it is full or all of it is taken. */
  private open: LineRun | undefined;
  private count = 0;
  /** Where lines are written into the open run, and where they are made again from the oldest. */
  private readonly writing = new LineScratch();
  private readonly reading = new LineScratch();

  constructor(private readonly asLine: { may: MayWaitAsLine; revive: ReviveWaiting } | undefined) {}

  get length(): number {
    return this.count;
  }

  push(record: LogRecord): void {
    this.count++;
    const line = record.json();
    // A long line gains little in a run.
    if (this.asLine === undefined || line.length > MAX_RUN_LINE_CHARS || !this.asLine.may(record)) {
      this.closeRun();
      keepFlat(record);
      this.items.push(record);
      return;
    }
    const { level, time, msg } = record;
    if (this.open?.add(line, level, time, msg, this.writing) === true) {
      if (this.open.full) this.closeRun();
      return;
    }
    this.closeRun();
    const run = new LineRun();
    run.add(line, level, time, msg, this.writing);
    this.items.push(run);
    this.open = run;
  }

  shift(): LogRecord | undefined {
    const head = this.items.peek();
    if (head === undefined) return undefined;
    this.count--;
    if (!(head instanceof LineRun)) return this.items.shift() as LogRecord;
    const line = head.take(this.reading, this.writing);
    if (head.done) {
      if (head === this.open) this.open = undefined;
      this.items.shift();
      head.letGo();
    }
    return this.asLine!.revive(line, head.takenLevel, head.takenTime, head.takenMsg);
  }

  /** Writes the open run's last lines and opens no more lines to it. */
  private closeRun(): void {
    this.open?.write(this.writing);
    this.open = undefined;
  }

  /** Everything waiting, taken out, oldest first. */
  drain(): LogRecord[] {
    const out: LogRecord[] = [];
    while (this.count > 0) out.push(this.shift()!);
    return out;
  }
}
