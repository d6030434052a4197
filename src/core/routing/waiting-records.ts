import { ownLine } from '../record/line-record.js';
import { keepFlat, type LogRecord } from '../record/log-record.js';
import { Queue } from '../util/queue.js';

/**
 * Makes a record again from the line it waited as, with the level, time and message it
 * had: the same line, fields read back from it (bindings and context among them, as a
 * replayed record's), counted as sent to one target.
 */
export type ReviveWaiting = (line: string, level: number, time: number, msg: string | undefined) => LogRecord;

/** Decides whether a record may wait as its line: only one whose every part the line holds. */
export type MayWaitAsLine = (record: LogRecord) => boolean;

/**
 * Characters a run of lines gathers before it is joined into one string. At this size
 * (256 KiB and more) V8 puts the string in its large-object space, which the young
 * generation's collections never copy.
 */
const RUN_CHARS = 256 * 1024;
/** Lines a run holds at most (their levels, times and ends are kept in one typed array). */
const RUN_LINES = 4096;

/** Lines a new run has room for: runs grow as they fill, so a run of a few lines stays small. */
const FIRST_RUN_LINES = 64;

/** Consecutive records waiting as their lines, joined in one string. */
class LineRun {
  text = '';
  /**
   * Level, time and end (in `text`) of each line, three numbers a line, off the collected
   * heap. Ends are kept rather than searched for: a line is whatever its record's json() was.
   */
  numbers = new Float64Array(FIRST_RUN_LINES * 3);
  /** The message of each line (a call site's text is one string for all its records). */
  readonly messages: (string | undefined)[] = [];
  /** Lines added, and lines taken out. */
  added = 0;
  taken = 0;
  /** Where the next line to take starts in `text`. */
  at = 0;
}

/**
 * The records that wait for one target in the router's queue, oldest first. During a burst
 * that nothing can be sent in (a loop that never yields, a backend outage) a queue holds
 * records by the hundred thousand, and the collector copies each of them, its fields, its
 * time and its line, from young space to old. A record that may (see MayWaitAsLine) waits
 * as its line instead, appended to a run of lines that becomes one large string, which the
 * collector does not copy: about a third of the memory and of the collector's work. It is
 * made a record again, from that line, when its target takes it. Any other record (sent to
 * more targets, which the router counts by the record itself; one that failed somewhere;
 * the logger's own) waits as itself, in order.
 */
export class WaitingRecords {
  private readonly items = new Queue<LogRecord | LineRun>();
  /** The run new lines go to: the last item, until it is full or read from. */
  private open: LineRun | undefined;
  private count = 0;

  /**
   * `sharedLines`: whether a record taken out may have its line as a slice of its run (no
   * copy), because whoever takes it lets go of it once settled (see letsGoOfRecords).
   */
  constructor(
    private readonly asLine: { may: MayWaitAsLine; revive: ReviveWaiting } | undefined,
    private readonly sharedLines = false,
  ) {}

  get length(): number {
    return this.count;
  }

  push(record: LogRecord): void {
    this.count++;
    // A line of a run's size or more gains nothing in one, and a run plus a line near V8's
    // longest string would make the join throw out of the log call.
    if (this.asLine === undefined || record.json().length >= RUN_CHARS || !this.asLine.may(record)) {
      this.closeRun();
      keepFlat(record);
      this.items.push(record);
      return;
    }
    let run = this.open;
    if (run === undefined) {
      run = new LineRun();
      this.open = run;
      this.items.push(run);
    }
    const i = run.added++ * 3;
    if (i === run.numbers.length) {
      const more = new Float64Array(i * 2);
      more.set(run.numbers);
      run.numbers = more;
    }
    run.text += record.json();
    run.numbers[i] = record.level;
    run.numbers[i + 1] = record.time;
    run.numbers[i + 2] = run.text.length;
    run.messages.push(record.msg);
    if (run.added === RUN_LINES || run.text.length >= RUN_CHARS) this.closeRun();
  }

  shift(): LogRecord | undefined {
    const head = this.items.peek();
    if (head === undefined) return undefined;
    this.count--;
    if (!(head instanceof LineRun)) return this.items.shift() as LogRecord;
    // Appending to a string that is being read would join it again at every read.
    if (head === this.open) this.closeRun();
    const n = head.taken++;
    const i = n * 3;
    const end = head.numbers[i + 2]!;
    // Its line is a slice, a view into the run: no copy made, and none for the collector to
    // move from young space to old while a batch waits for the network (a shipping client's
    // collector paused about a quarter less). But a slice keeps the whole run (256 KiB) alive
    // for as long as its record lives, so only a taker that lets go of its records keeps it;
    // any other gets the record with a line of its own (ownLine, as a listener later does: a
    // record given one is never copied again): a drop listener that kept one record in a
    // thousand would otherwise hold every run.
    const line = head.text.slice(head.at, end);
    head.at = end;
    if (head.taken === head.added) this.items.shift();
    const msg = head.messages[n];
    head.messages[n] = undefined;
    const record = this.asLine!.revive(line, head.numbers[i]!, head.numbers[i + 1]!, msg);
    if (!this.sharedLines) ownLine(record);
    return record;
  }

  /** Everything waiting, taken out, oldest first. */
  drain(): LogRecord[] {
    const out: LogRecord[] = [];
    while (this.count > 0) out.push(this.shift()!);
    return out;
  }

  /** Joins the open run into one flat string (reading a character does it) and opens no more. */
  private closeRun(): void {
    this.open?.text.charCodeAt(0);
    this.open = undefined;
  }
}
