import { Queue } from '../util/queue.js';

/**
 * Which of this process's parked lines were sent before with an unknown outcome (a timeout, a
 * reset after the request was written), in the order they were parked, as runs: a batch is
 * parked whole, so a spool of a million lines costs a few runs. A line read back and
 * delivered from the spool is then counted in `possibleDuplicates`, as it is when the same
 * resend happens from memory: parked, it lost its batch's flag and was counted nowhere.
 */
export class ParkedUncertainty {
  private readonly runs = new Queue<{ count: number; uncertain: boolean }>();
  private last: { count: number; uncertain: boolean } | undefined;

  /** One more line parked. */
  push(uncertain: boolean): void {
    if (this.last !== undefined && this.last.uncertain === uncertain && this.runs.length > 0) {
      this.last.count++;
      return;
    }
    this.last = { count: 1, uncertain };
    this.runs.push(this.last);
  }

  /** Whether the oldest line parked and not yet read back was uncertain (and takes it off). */
  shift(): boolean {
    const run = this.runs.peek();
    if (run === undefined) return false;
    if (--run.count === 0) {
      this.runs.shift();
      if (run === this.last) this.last = undefined;
    }
    return run.uncertain;
  }
}
