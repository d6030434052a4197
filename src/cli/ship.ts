import { closeSync, constants, createReadStream, existsSync, open, openSync, readSync, statSync } from 'node:fs';
import { Socket } from 'node:net';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { pump } from './forward.js';
import { Progress, type ProgressMode } from './progress.js';
import { forwardOptions, SHIP_OPTIONS, SHIP_OPTIONS_HELP, shipThrough } from './shipping.js';
import { EXIT, EXIT_CODES_HELP, flag, parseCommand, text, UsageError } from './usage.js';

const HELP = `Usage: streamlog ship [--config streamlog.json] app.log [more.log …]

Replays log files (NDJSON, plain or gzip-compressed) through the transports of the config,
one file after another. Records keep the producer's own pid, hostname and name.
Shows progress on stderr (a bar on a terminal: bytes of total, records/s, ETA; a plain line
every 5 s otherwise) and ends with a table per transport: delivered, failed, dropped,
retries, time.

Options:
${SHIP_OPTIONS_HELP}
  -q, --quiet             no progress and no table (the one-line failure summary stays)
  -h, --help              this help

${EXIT_CODES_HELP}
`;

/**
 * gzip by its magic bytes, so `app.log.1.gz` and a renamed file alike are read right. Only a
 * regular file is looked at: reading a FIFO's first bytes would take them from the stream.
 */
function isGzip(file: string): boolean {
  if (!statSync(file).isFile()) return false;
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** Each file's size; undefined for a device or a FIFO, read to its end whatever it holds. */
function fileSizes(files: string[]): (number | undefined)[] {
  const seen = new Map<string, string>();
  return files.map((file) => {
    try {
      const stat = statSync(file);
      // A device or a FIFO (/dev/null, /dev/stdin, a named pipe) is read to its end: its size is unknown.
      if (stat.isDirectory()) throw new UsageError(`${file}: a directory, not a file`);
      if (!stat.isFile()) return undefined;
      // The same file twice (`app.log ./app.log`, a glob that matches it again, a link to it):
      // every record of it reached the destination twice.
      const same = seen.get(`${stat.dev}:${stat.ino}`);
      if (same !== undefined) throw new UsageError(`${file}: the same file as ${same}, given twice`);
      seen.set(`${stat.dev}:${stat.ino}`, file);
      return stat.size;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  });
}

/**
 * A FIFO (`/dev/stdin` on a pipe too), read through a pipe handle the event loop polls. A read
 * stream's open() and read() wait in a thread of the pool for a writer, or for an idle writer's
 * next line, and cannot be called off: after a signal the run was over, yet the process never
 * ended (its exit waits for that thread). The open still waits for a writer; let go before one
 * came, this process is that writer for a moment, so the open returns.
 */
function openFifo(file: string): Readable {
  const out = new PassThrough();
  let pipe: Socket | undefined;
  open(file, 'r', (error: NodeJS.ErrnoException | null, fd: number) => {
    if (error) out.destroy(error);
    else if (out.destroyed) closeSync(fd);
    else {
      pipe = new Socket({ fd, readable: true, writable: false });
      pipe.on('error', (failure) => out.destroy(failure));
      pipe.pipe(out);
    }
  });
  out.once('close', () => {
    if (pipe !== undefined) pipe.destroy();
    else {
      try {
        closeSync(openSync(file, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // No reader waits in open() any more (ENXIO): nothing to release.
      }
    }
  });
  return out;
}

/** The descriptor a path such as `/dev/stdin`, `/dev/fd/3` or `/proc/self/fd/3` names, if it names one. */
function descriptorOf(file: string): number | undefined {
  if (file === '/dev/stdin') return 0;
  const match = /^\/(?:dev|proc\/self)\/fd\/(\d+)$/.exec(file);
  return match === null ? undefined : Number(match[1]);
}

/**
 * A socket our stdin (or another descriptor) is, read through that descriptor: a socket cannot
 * be opened by its /proc path (ENXIO), and a parent that spawns with stdio 'pipe' (Node's
 * child_process, execa) hands its child a socket, so `ship /dev/stdin` failed there, exit 1.
 */
function openSocket(file: string): Readable | undefined {
  const fd = descriptorOf(file);
  return fd === undefined ? undefined : new Socket({ fd, readable: true, writable: false });
}

/** The file's lines as bytes (gunzipped when compressed); `onBytes` counts what is read from disk. */
function openFile(file: string, onBytes: (n: number) => void): Readable {
  const stat = statSync(file);
  const socket = stat.isSocket() ? openSocket(file) : undefined;
  const raw: Readable =
    socket ?? (stat.isFIFO() ? openFifo(file) : createReadStream(file, { highWaterMark: 256 * 1024 }));
  raw.on('data', (chunk: Buffer | string) => onBytes(chunk.length));
  if (!isGzip(file)) return raw;
  const gunzip = createGunzip();
  raw.on('error', (error) => gunzip.destroy(error));
  return raw.pipe(gunzip);
}

export async function shipCommand(args: string[]): Promise<number> {
  const parsed = parseCommand(args, { ...SHIP_OPTIONS, quiet: { type: 'boolean', short: 'q' } }, HELP, true);
  if (!parsed) return EXIT.ok;
  const files = parsed.positionals;
  if (files.length === 0) throw new UsageError('ship needs at least one file');
  const sizes = fileSizes(files);
  // One input of unknown size and the whole run's is unknown: no percentage, no ETA.
  const total = sizes.includes(undefined) ? undefined : sizes.reduce((a: number, b) => a + (b ?? 0), 0);
  const quiet = flag(parsed, 'quiet');
  const mode: ProgressMode = quiet ? 'off' : process.stderr.isTTY ? 'bar' : 'lines';
  let progress: Progress | undefined;
  return shipThrough(
    forwardOptions(text(parsed, 'config'), text(parsed, 'signal-timeout'), text(parsed, 'spool-wait')),
    async (sink, signal, log, count) => {
      // Checked once the logger is open, so it holds the lock of a spool it adopted: a spool file
      // some logger holds is sent from the spool (by this run or by its live owner), and read as
      // input too, every record of it would reach the destination twice.
      const spool = files.find((file) => existsSync(`${file}.lock`));
      if (spool !== undefined) {
        throw new Error(
          `${spool} is a logger's spool file (${spool}.lock beside it): its records are sent from the spool, ` +
            'not shipped; remove the lock first if no logger uses it',
        );
      }
      progress = new Progress(mode, total, log);
      const bar = progress;
      for (const [index, file] of files.entries()) {
        // Which file, among many, and that the ones after it were not shipped.
        const left = files.length - index - 1;
        const rest = left > 0 ? ` (${left} file${left === 1 ? '' : 's'} after it not read)` : '';
        // A signal cuts the run short: said, and exit 1, for a run that exited 0 looked done to
        // whatever rotates or deletes the files it shipped.
        if (signal.aborted) throw new Error(`${file}: not read, stopped by a signal${rest}`);
        let source: Readable;
        let read = 0;
        try {
          source = openFile(file, (n) => {
            bar.bytes += n;
            read += n;
          });
          await pump(source, sink, signal, count);
        } catch (error) {
          throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}${rest}`, {
            cause: error,
          });
        }
        // A file's last line without a newline ends there: it must not run into the next file's first.
        if (count.midLine) sink.write('\n');
        count.end();
        if (!source.readableEnded) throw new Error(`${file}: stopped by a signal before its end${rest}`);
        // Emptied while read (logrotate's copytruncate): its end came early, and the records
        // after where the reading stood were never read. A run that exited 0 looked done.
        if (read < (sizes[index] ?? 0)) {
          const cut = `${read} of its ${sizes[index]} bytes read`;
          throw new Error(`${file}: cut short while read (truncated, by a rotation?): ${cut}${rest}`);
        }
      }
    },
    { table: !quiet, onRead: () => progress?.done() },
    files,
  );
}
