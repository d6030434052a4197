import type { Logger } from '../index.js';

export type ProgressMode = 'bar' | 'lines' | 'off';

const BAR_WIDTH = 24;
const LINE_EVERY_MS = 5000;

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h > 0 ? 2 : 1, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/**
 * Progress of a ship run on stderr: a bar redrawn in place on a terminal (bytes of total,
 * records/s, ETA), a plain line every few seconds otherwise (and one at the end), nothing
 * when off. Records are counted from the logger's stats, bytes by the reader.
 */
export class Progress {
  bytes = 0;
  private readonly started = performance.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly mode: ProgressMode,
    /** undefined: unknown (a FIFO or a device among the inputs). */
    private readonly totalBytes: number | undefined,
    private readonly log: Logger,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    if (mode === 'off') return;
    this.timer = setInterval(() => this.draw(), mode === 'bar' ? 200 : LINE_EVERY_MS);
    this.timer.unref();
  }

  private status(): { fraction: number | undefined; text: string } {
    const elapsed = (performance.now() - this.started) / 1000;
    const records = this.log.stats().logged;
    const rate = elapsed > 0 ? Math.round(records / elapsed) : 0;
    const counts = `${records} records  ${rate} records/s`;
    const total = this.totalBytes;
    // A FIFO or a device among the inputs: its size is unknown, so is the share read ("100% 68 KB of 0 B").
    if (total === undefined) return { fraction: undefined, text: `${size(this.bytes)} read  ${counts}` };
    const fraction = total > 0 ? Math.min(1, this.bytes / total) : 1;
    const byteRate = elapsed > 0 ? this.bytes / elapsed : 0;
    // Past the total (a file that grew while read) there is no estimate: the bytes left came
    // out negative, an ETA of -1:-1.
    const unknown = byteRate === 0 || this.bytes > total;
    const eta = unknown ? Number.POSITIVE_INFINITY : (total - this.bytes) / byteRate;
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
    return { fraction, text: `${percent} ${size(this.bytes)} of ${size(total)}  ${counts}  ETA ${clock(eta)}` };
  }

  private draw(): void {
    const { fraction, text } = this.status();
    if (this.mode === 'bar') {
      // No share to fill a bar with: the counts alone, redrawn in place.
      if (fraction === undefined) this.out.write(`\r${text}\u001b[K`);
      else {
        const filled = Math.round(fraction * BAR_WIDTH);
        this.out.write(`\r[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${text}\u001b[K`);
      }
    } else {
      this.out.write(`ship: ${text}\n`);
    }
  }

  /** The reading is over: the final state, once more. */
  done(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.mode === 'off') return;
    this.draw();
    if (this.mode === 'bar') this.out.write('\n');
  }
}
