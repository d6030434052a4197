import { type Dirent, readdirSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

export interface RotationOptions {
  /** Rotate when the file would grow past this many bytes. */
  size?: number;
  /** Rotate at each boundary of this period (ms), aligned to midnight (local or UTC). */
  interval?: number;
  /** Keep at most this many rotated files; older ones are deleted. */
  maxFiles?: number;
  /** gzip rotated files in the background. */
  compress?: boolean;
  /** Align time boundaries to UTC instead of local time. */
  utc?: boolean;
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
  private readonly pattern: RegExp;

  constructor(
    readonly path: string,
    readonly options: RotationOptions,
  ) {
    this.dir = dirname(path);
    this.ext = extname(path);
    this.stem = basename(path, this.ext);
    const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.pattern = new RegExp(`^${literal(this.stem)}\\.(\\d+)\\.rotated${literal(this.ext)}(\\.gz)?$`);
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
      const match = this.pattern.exec(name);
      if (!match) continue;
      const sequence = Number(match[1]);
      const compressed = match[2] !== undefined;
      const existing = bySequence.get(sequence);
      if (!existing || (existing.compressed && !compressed))
        bySequence.set(sequence, { path: join(this.dir, name), sequence, compressed });
    }
    return [...bySequence.values()].sort((a, b) => a.sequence - b.sequence);
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
    return this.addDays(midnight, -(dayIndex % days));
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
