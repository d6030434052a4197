import { type Dirent, readdirSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

export interface RotationOptions {
  /** Rotate when the file would grow past this many bytes. */
  size?: number | undefined;
  /** Rotate at each boundary of this period (ms), aligned to midnight (local or UTC). */
  interval?: number | undefined;
  /** Keep at most this many rotated files; older ones are deleted. */
  maxFiles?: number | undefined;
  /** gzip rotated files in the background. */
  compress?: boolean | undefined;
  /** Align time boundaries to UTC instead of local time. */
  utc?: boolean | undefined;
}

/**
 * What is wrong with rotation options given from code (a config entry's are checked by its
 * schema), or undefined: a size given as text ("1KB") never rotated, a size of 10 bytes
 * rotated at every record.
 */
export function rotationProblem(rotate: RotationOptions): string | undefined {
  const { size, interval, maxFiles } = rotate as Record<string, unknown>;
  if (size === undefined && interval === undefined) return 'rotate: expected "size" and/or "interval"';
  if (size !== undefined && !(typeof size === 'number' && size >= 1024)) {
    const got = JSON.stringify(size);
    return `rotate.size: expected a number of bytes, at least 1024 (got ${got}; "64KB" is a config file's way)`;
  }
  if (interval !== undefined && !(typeof interval === 'number' && interval >= 60_000)) {
    return `rotate.interval: expected milliseconds, at least 60000 (got ${JSON.stringify(interval)})`;
  }
  if (maxFiles !== undefined && !(Number.isSafeInteger(maxFiles) && (maxFiles as number) >= 1)) {
    return `rotate.maxFiles: expected a whole number, at least 1 (got ${JSON.stringify(maxFiles)})`;
  }
  return undefined;
}

export interface RotatedFile {
  path: string;
  sequence: number;
  compressed: boolean;
}

const DAY = 86_400_000;

/**
 * Names and boundaries of rotated files. `app.log` rotates to `app.1.rotated.log`,
 * `app.2.rotated.log`, … (`.gz` appended once compressed): numbers only grow, newest
 * highest, so a rename never collides with a file still being compressed, and after a
 * restart numbering resumes from the highest number on disk. The `.rotated` marker keeps
 * other files in the folder out: `server.8080.log` beside `server.log` is never taken for
 * one of its rotated files, renamed, compressed or pruned.
 */
export class RotationPlan {
  private readonly dir: string;
  private readonly stem: string;
  private readonly ext: string;

  constructor(
    readonly path: string,
    readonly options: RotationOptions,
  ) {
    this.dir = dirname(path);
    this.ext = extname(path);
    this.stem = basename(path, this.ext);
  }

  get bySize(): boolean {
    return this.options.size !== undefined;
  }

  nameFor(sequence: number): string {
    return join(this.dir, `${this.stem}.${sequence}.rotated${this.ext}`);
  }

  /** Rotated files on disk, oldest first; a file present both plain and gzipped counts once. */
  list(): RotatedFile[] {
    let entries: Dirent[];
    try {
      entries = readdirSync(this.dir, { withFileTypes: true });
    } catch {
      return [];
    }
    const bySequence = new Map<number, RotatedFile>();
    for (const entry of entries) {
      // A folder or symlink under a rotated name is not ours: never compressed (read through) or pruned.
      if (!entry.isFile()) continue;
      const name = entry.name;
      let compressed = false;
      let sequence = this.sequenceOf(name);
      if (sequence === undefined && name.endsWith('.gz')) {
        compressed = true;
        sequence = this.sequenceOf(name.slice(0, -3));
      }
      if (sequence === undefined) continue;
      const existing = bySequence.get(sequence);
      if (!existing || (existing.compressed && !compressed))
        bySequence.set(sequence, { path: join(this.dir, name), sequence, compressed });
    }
    return [...bySequence.values()].sort((a, b) => a.sequence - b.sequence);
  }

  /**
   * N of `<stem>.<N>.rotated<ext>`, else undefined. Compared as text, not by a pattern made of
   * the name: a regular expression of a name of 40,000 characters is too large for V8, and
   * its SyntaxError, thrown while the folder was listed after a rotation, ended the process.
   */
  private sequenceOf(name: string): number | undefined {
    const tail = `.rotated${this.ext}`;
    const start = this.stem.length + 1;
    const end = name.length - tail.length;
    if (end <= start || !name.startsWith(`${this.stem}.`) || !name.endsWith(tail)) return undefined;
    for (let i = start; i < end; i++) {
      const c = name.charCodeAt(i);
      if (c < 48 || c > 57) return undefined;
    }
    return Number(name.slice(start, end));
  }

  nextSequence(): number {
    const files = this.list();
    return files.length === 0 ? 1 : files[files.length - 1]!.sequence + 1;
  }

  /** Files beyond maxFiles, oldest first: the ones to delete. */
  excess(): RotatedFile[] {
    const max = this.options.maxFiles;
    if (max === undefined) return [];
    const files = this.list();
    return files.slice(0, Math.max(0, files.length - max));
  }

  /** Start of the period that contains `time`: a midnight, or a multiple of the interval after one. */
  periodStart(time: number): number {
    const interval = this.options.interval!;
    const midnight = this.dayStart(time);
    if (interval < DAY) return midnight + Math.floor((time - midnight) / interval) * interval;
    const days = Math.max(1, Math.round(interval / DAY));
    const dayIndex = Math.round((midnight - this.dayStart(0)) / DAY);
    // Whole periods from 1970-01-01 on both sides of it: a day before it is the last of a period.
    return this.addDays(midnight, -(((dayIndex % days) + days) % days));
  }

  /** The first boundary after `time` (Infinity without an interval). */
  nextBoundary(time: number): number {
    const interval = this.options.interval;
    if (interval === undefined) return Number.POSITIVE_INFINITY;
    const start = this.periodStart(time);
    if (interval >= DAY) return this.addDays(start, Math.max(1, Math.round(interval / DAY)));
    // Within a day, boundaries restart at each midnight (which DST may move).
    return Math.min(start + interval, this.addDays(this.dayStart(time), 1));
  }

  /** Midnight `days` days after the midnight `midnight`, DST-safe (snap from midday). */
  private addDays(midnight: number, days: number): number {
    return this.dayStart(midnight + days * DAY + DAY / 2);
  }

  private dayStart(time: number): number {
    const date = new Date(time);
    return this.options.utc
      ? Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate())
      : new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
  }
}
