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
    private readonly totalBytes: number,
    private readonly log: Logger,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    if (mode === 'off') return;
    this.timer = setInterval(() => this.draw(), mode === 'bar' ? 200 : LINE_EVERY_MS);
    this.timer.unref();
  }

  private status(): { fraction: number; text: string } {
    const elapsed = (performance.now() - this.started) / 1000;
    const records = this.log.stats().logged;
    const fraction = this.totalBytes > 0 ? Math.min(1, this.bytes / this.totalBytes) : 1;
    const rate = elapsed > 0 ? Math.round(records / elapsed) : 0;
    const byteRate = elapsed > 0 ? this.bytes / elapsed : 0;
    // Past the total (a file that grew while read; a FIFO or a device, whose size is unknown)
    // there is no estimate: the bytes left came out negative, an ETA of -1:-1.
    const unknown = byteRate === 0 || this.bytes > this.totalBytes;
    const eta = unknown ? Number.POSITIVE_INFINITY : (this.totalBytes - this.bytes) / byteRate;
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
    return {
      fraction,
      text:
        `${percent} ${size(this.bytes)} of ${size(this.totalBytes)}  ` +
        `${records} records  ${rate} records/s  ETA ${clock(eta)}`,
    };
  }

  private draw(): void {
    const { fraction, text } = this.status();
    if (this.mode === 'bar') {
      const filled = Math.round(fraction * BAR_WIDTH);
      this.out.write(`\r[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${text}\u001b[K`);
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
