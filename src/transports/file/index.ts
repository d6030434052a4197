import type { z } from 'zod';
import { resolve } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import type { LogRecord } from '../../core/record/log-record.js';
import type { TransportPlugin } from '../../core/plugin/registry.js';
import {
  Transport,
  type TransportEvents,
  type TransportListener,
  type TransportOptions,
} from '../../core/plugin/transport.js';
import { durationSchema, plainDuration, plainSize, sizeSchema } from '../../core/plugin/units.js';
import { lazySchema } from '../../core/util/lazy-schema.js';
import { bool, either, num, object, optional, type PlainCheck, text, where } from '../../core/util/plain-checks.js';
import { type RotationOptions, rotationProblem } from './rotation.js';
import { SharedFile, type FileOwner, type SharedFileOptions } from './shared-file.js';

export interface FileTransportOptions extends TransportOptions {
  path: string;
  /** File mode for a new file (default 0o640). */
  mode?: number | undefined;
  /** Write each record before the log call returns (default: gather per tick / bufferSize). */
  sync?: boolean | undefined;
  /** Bytes gathered before a write is issued within a tick (default 64 KiB). */
  bufferSize?: number | undefined;
  /** fsync on close and before each rotation. */
  fsync?: boolean | undefined;
  rotate?: RotationOptions | undefined;
  /** Reopen the path on SIGHUP (for logrotate's move-then-signal scheme). */
  reopenOnSighup?: boolean | undefined;
}

/** What a file transport adds to stats(). */
export interface FileStats {
  path: string;
  bytes: number;
  lines: number;
  writes: number;
  rotations: number;
  /** Bytes in the current file. */
  size: number;
}

export interface FileProgress {
  bytesWritten: number;
  lines: number;
}

const DEFAULT_BUFFER = 64 * 1024;

/**
 * Transports that reopen on SIGHUP, behind one process listener (one per transport would
 * trip Node's too-many-listeners warning in a service with many files).
 */
const reopenOnSighup = new (class extends Set<FileTransport> {
  private readonly onSignal = (): void => {
    for (const transport of this) transport.reopen();
  };

  override add(transport: FileTransport): this {
    if (this.size === 0) process.on('SIGHUP', this.onSignal);
    return super.add(transport);
  }

  override delete(transport: FileTransport): boolean {
    const removed = super.delete(transport);
    if (removed && this.size === 0) process.off('SIGHUP', this.onSignal);
    return removed;
  }
})();

/** Open files by absolute path, shared by every file transport in the process. */
const openFiles = new Map<string, { file: SharedFile; options: SharedFileOptions }>();

function acquire(path: string, options: SharedFileOptions, owner: FileOwner): SharedFile {
  const key = resolve(path);
  let entry = openFiles.get(key);
  if (!entry) {
    entry = { file: new SharedFile(key, options), options };
    openFiles.set(key, entry);
  } else if (JSON.stringify(entry.options) !== JSON.stringify(options)) {
    owner.notice(`${key} is already open with other options; sharing the existing writer (its options win)`);
  }
  entry.file.subscribe(owner);
  return entry.file;
}

async function release(file: SharedFile, owner: FileOwner): Promise<void> {
  if (!file.unsubscribe(owner)) {
    file.writeOut();
    return;
  }
  openFiles.delete(file.path);
  await file.close();
}

/** The file transport's own events. */
export interface FileTransportEvents {
  /** After each write: what the file has taken so far. */
  progress: [progress: FileProgress];
}

export interface FileTransport {
  on<K extends keyof FileTransportEvents | keyof TransportEvents>(
    event: K,
    listener: TransportListener<FileTransportEvents, K>,
  ): this;
  on(event: string | symbol, listener: (...args: never[]) => void): this;
}

/**
 * Appends lines to a file: creates folders, buffers a tick's worth of lines into one
 * write, rotates by size and/or time with optional gzip and pruning, reopens on demand,
 * and writes synchronously on the exit path so process.exit() loses nothing.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface of its name only types `on` for its own events
export class FileTransport extends Transport<FileStats> {
  /** Writes (or keeps) what it takes, and writes what it holds at the process's end: nothing to fail then. */
  protected override get settlesAllAtExit(): boolean {
    return true;
  }

  readonly type = 'file';
  private readonly file: SharedFile;

  constructor(options: FileTransportOptions) {
    super(options);
    const problem = options.rotate === undefined ? undefined : rotationProblem(options.rotate);
    if (problem !== undefined) throw new TypeError(problem);
    this.file = acquire(
      options.path,
      {
        mode: options.mode ?? 0o640,
        bufferSize: options.bufferSize ?? DEFAULT_BUFFER,
        sync: options.sync ?? false,
        fsync: options.fsync ?? false,
        rotate: options.rotate,
      },
      this.owner,
    );
    if (options.reopenOnSighup) {
      reopenOnSighup.add(this);
      // A worker's process.on('SIGHUP') is never called: the signal reaches only the main
      // thread, and with no listener there it ends the whole process.
      if (!isMainThread) {
        this.report(
          `reopenOnSighup does nothing in a worker thread (signals reach only the main thread, where SIGHUP ` +
            `ends the process unless something listens): have the main thread listen and ask the worker to reopen()`,
        );
      }
    }
  }

  get path(): string {
    return this.file.path;
  }

  /** How the shared file reports back to this transport. */
  private readonly owner: FileOwner = {
    delivered: (count) => {
      this.settleDelivered(count);
      if (this.listenerCount('progress') > 0) {
        const progress: FileProgress = { bytesWritten: this.file.bytesWritten, lines: this.file.linesWritten };
        this.emit('progress', progress);
      }
    },
    failed: (records, error) => this.settleFailed(records, error),
    notice: (message, detail) => this.report(message, detail),
  };

  protected handle(record: LogRecord): void {
    this.file.append(this.formatLine(record), record, this.owner);
  }

  protected override startFlush(): void {
    this.file.writeOut();
  }

  override flushSync(): void {
    this.file.writeOut();
  }

  /** Closes and reopens the path, e.g. after logrotate moved the file away. */
  reopen(): void {
    this.file.reopen();
  }

  /**
   * Rotates now. Throws when no transport on this path has `rotate` options: with no names
   * and no retention to rotate by, a call that did nothing would leave one growing file.
   */
  rotate(): void {
    if (!this.file.rotates) {
      throw new Error(
        `${this.id}: rotate() needs the "rotate" option (size, interval or both) on ${this.file.path}; ` +
          `to start a new file after an external mv, use reopen()`,
      );
    }
    this.file.rotate();
  }

  /** Resolves once background compression and pruning are done. */
  settled(): Promise<void> {
    return this.file.settled();
  }

  protected override closeResources(): Promise<void> {
    return this.releaseFile();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.releaseFile().then(
      () => callback(error),
      (e: unknown) => callback(e as Error),
    );
  }

  private releasing: Promise<void> | undefined;

  /** Once per transport, whether it ends by close() or destroy(). */
  private releaseFile(): Promise<void> {
    reopenOnSighup.delete(this);
    this.releasing ??= release(this.file, this.owner);
    return this.releasing;
  }

  protected override extraStats(): FileStats {
    return {
      path: this.file.path,
      bytes: this.file.bytesWritten,
      lines: this.file.linesWritten,
      writes: this.file.writes,
      rotations: this.file.rotations,
      size: this.file.size,
    };
  }
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const plainInterval: PlainCheck = (value) =>
  value === 'hourly' ? HOUR_MS : value === 'daily' ? DAY_MS : plainDuration(value);
const MODE_TEXT = /^(0o?)?[0-7]{3}$/;

const plainRotate = where(
  object({
    size: optional(where(plainSize, (bytes) => (bytes as number) >= 1024)),
    interval: optional(where(plainInterval, (ms) => (ms as number) >= 60_000)),
    maxFiles: optional(num(1, Number.MAX_SAFE_INTEGER, true)),
    compress: optional(bool),
    utc: optional(bool),
  }),
  (rotate) => {
    const { size, interval } = rotate as { size?: unknown; interval?: unknown };
    return size !== undefined || interval !== undefined;
  },
);

/** "logs/" names a folder: resolve() took it as the file "logs", which the log was then written to. */
const NOT_A_FOLDER = 'expected a file path, not a folder (it ends in "/")';
const plainFile = object({
  path: where(text(1), (path) => !(path as string).endsWith('/')),
  mode: optional(either(num(0, 0o777, true), text(0, MODE_TEXT))),
  sync: optional(bool),
  bufferSize: optional(plainSize),
  fsync: optional(bool),
  rotate: optional(plainRotate),
  reopenOnSighup: optional(bool),
});

const rotateSchema = lazySchema((z) =>
  z
    .strictObject({
      size: sizeSchema.pipe(z.number().min(1024, { error: 'expected a rotation size of at least 1KB' })).optional(),
      interval: z
        .union([z.enum(['hourly', 'daily']), durationSchema])
        .transform((value) => (value === 'hourly' ? HOUR_MS : value === 'daily' ? DAY_MS : value))
        .refine((ms) => ms >= 60_000, { error: 'expected an interval of at least 1 minute' })
        .optional(),
      maxFiles: z.number().int().positive().optional(),
      compress: z.boolean().optional(),
      utc: z.boolean().optional(),
    })
    .refine((r) => r.size !== undefined || r.interval !== undefined, { error: 'expected "size" and/or "interval"' }),
);

const fileSchema = lazySchema(
  (z) =>
    z.strictObject({
      path: z
        .string()
        .min(1)
        .refine((path) => !path.endsWith('/'), { error: NOT_A_FOLDER }),
      mode: z
        .union([
          // 640 written as a number is decimal 640, not the octal mode meant: say how to write that.
          z
            .number()
            .int()
            .min(0)
            .max(0o777, { error: 'expected at most 511 (0o777); an octal mode goes in a string, like "0640"' }),
          // Three octal digits: read/write bits only, never setuid, setgid or sticky.
          z.string().regex(MODE_TEXT, { error: 'expected an octal mode like "0640" (three digits, at most 0777)' }),
        ])
        .optional(),
      sync: z.boolean().optional(),
      bufferSize: sizeSchema.optional(),
      fsync: z.boolean().optional(),
      rotate: rotateSchema.optional(),
      reopenOnSighup: z.boolean().optional(),
    }),
  plainFile,
);

export const fileTransportPlugin: TransportPlugin<typeof fileSchema> = {
  schema: fileSchema,
  create: (options, context) =>
    new FileTransport({
      ...options,
      path: resolve(context.baseDir, options.path),
      mode: typeof options.mode === 'string' ? parseInt(options.mode.replace(/^0?o?/, ''), 8) : options.mode,
      formatter: context.formatter,
    }),
};

declare module '../../core/plugin/registry.js' {
  interface TransportTypes {
    file: z.input<typeof fileSchema>;
  }
}
