import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { existsSync } from 'node:fs';
import { ConfigError, createLogger, type Logger, type LoggerStats } from '../index.js';
import { LineCount } from './line-count.js';
import { drainSpools, spoolLinesOf } from './spool-drain.js';
import { InvalidConfigError } from './usage.js';

/** How a run of pipe or ship ended. */
export interface Outcome {
  stats: LoggerStats;
  /** From the start until the logger was closed, ms. */
  elapsedMs: number;
  /** Per target id: from the start until it held nothing more, ms. */
  targetMs: Map<string, number>;
  /** SIGTERM, SIGINT or SIGHUP, when one cut the input short. */
  signal: NodeJS.Signals | undefined;
  /** close() settled everything in time. */
  closed: boolean;
  /** A source that could not be read to its end. */
  readError: Error | undefined;
  /** Lines read that became records (blank ones aside). */
  read: number;
}

export interface ForwardOptions {
  /** The config file; without it, $STREAMLOG_CONFIG, then ./streamlog.json, as createLogger() does. */
  config: string | undefined;
  /** How long the final close may take after a signal (ms); a normal end waits for every transport. */
  signalTimeoutMs: number;
  /** Once the input ends, how long the spools may go without progress before the close (ms; 0: not waited for). */
  spoolWaitMs: number;
  /**
   * The input is a program's output (`app | streamlog pipe`): Ctrl-C reaches that program
   * too, which logs its shutdown and ends its output, so a first SIGINT reads on until the
   * input ends (for at most `signalTimeoutMs`) before the stop.
   */
  readOnAfterSigint?: boolean;
}

/** The logger the command ships through; an invalid config is the caller's (exit 2), said with its file. */
export function openLogger(config: string | undefined): Logger {
  const file = config === undefined ? undefined : resolve(config);
  // Shipping with no config at all is most often a forgotten --config: the records go to the
  // default logger's console, so say so rather than report them all delivered with no word.
  if (file === undefined && !process.env.STREAMLOG_CONFIG && !existsSync('streamlog.json')) {
    process.stderr.write(NO_CONFIG_NOTE);
  }
  try {
    return file === undefined ? createLogger() : createLogger(file);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Without --config, the one createLogger() found: $STREAMLOG_CONFIG, then ./streamlog.json.
    const found =
      process.env.STREAMLOG_CONFIG || (existsSync('streamlog.json') ? resolve('streamlog.json') : undefined);
    throw new InvalidConfigError(file ?? found, error);
  }
}

const NO_CONFIG_NOTE =
  'streamlog: no config (--config, $STREAMLOG_CONFIG or ./streamlog.json): the records go to the console\n';

/**
 * Feeds sources into `log.stream()` (its backpressure holds the sources back), then closes
 * the logger so every record is delivered, failed or parked in a spool. SIGTERM, SIGINT or SIGHUP
 * stops the reading: what was read is still delivered (within `signalTimeoutMs`); a second
 * signal ends the process at once (the logger's exit path parks or fails what is held).
 */
export async function forward(
  log: Logger,
  feed: (sink: Writable, signal: AbortSignal, count: LineCount) => Promise<void>,
  options: ForwardOptions,
): Promise<Outcome> {
  // The event loop must not empty while input waits on a slow `block` target: Node would
  // take it for a script's end, and the logger's exit path then failed what it held after
  // exitTimeoutMs (half of 20,000 lines to a receiver answering in 200 ms, never down).
  const alive = setInterval(() => {}, 2 ** 30);
  try {
    return await forwarding(log, feed, options);
  } finally {
    clearInterval(alive);
  }
}

async function forwarding(
  log: Logger,
  feed: (sink: Writable, signal: AbortSignal, count: LineCount) => Promise<void>,
  options: ForwardOptions,
): Promise<Outcome> {
  const started = performance.now();
  const sink = log.stream({ keepOrigin: true });
  const abort = new AbortController();
  let signal: NodeJS.Signals | undefined;
  const stop = (received: NodeJS.Signals): void => {
    signal = received;
    abort.abort();
  };
  /** A first Ctrl-C while the program before us still writes: read on, for at most the timeout. */
  let readingOn: NodeJS.Signals | undefined;
  let readOnTimer: NodeJS.Timeout | undefined;
  let reading = true;
  const onSignal = (received: NodeJS.Signals): void => {
    if (signal !== undefined || readingOn !== undefined) process.exit(1);
    if (received === 'SIGINT' && options.readOnAfterSigint && reading) {
      readingOn = received;
      readOnTimer = setTimeout(() => stop(received), options.signalTimeoutMs);
      return;
    }
    stop(received);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // The terminal or ssh session that ran it closed: what was read is still delivered.
  process.on('SIGHUP', onSignal);
  let readError: Error | undefined;
  const count = new LineCount();
  try {
    await feed(sink, abort.signal, count);
  } catch (error) {
    readError = error as Error;
  }
  count.end();
  reading = false;
  clearTimeout(readOnTimer);
  // Read to the end after a Ctrl-C: delivery is bounded as after any signal.
  if (readingOn !== undefined && signal === undefined) stop(readingOn);
  // A blocked target holds the sink's end back; a signal must not wait for it, or
  // --signal-timeout would not bound the stop (the lines still in the sink's buffer are
  // then counted as read after close, undelivered).
  let deadline = Number.POSITIVE_INFINITY;
  const ended = new Promise<void>((done) => sink.end(done));
  await Promise.race([ended, aborted(abort.signal)]);
  const targetMs = new Map<string, number>();
  const watch = setInterval(() => noteFinished(log, targetMs, started), 20);
  noteFinished(log, targetMs, started);
  if (signal === undefined && options.spoolWaitMs > 0) await drainSpools(log, options.spoolWaitMs, abort.signal);
  if (signal !== undefined) {
    deadline = performance.now() + options.signalTimeoutMs;
    await Promise.race([ended, delay(options.signalTimeoutMs)]);
  }
  const timeoutMs = Number.isFinite(deadline) ? Math.max(0, deadline - performance.now()) : undefined;
  // A signal while a close without a deadline waits (a replay's answer, a slow target) bounds
  // it as a signal does at any other moment: a second close with the timeout cuts the first.
  const bound = (): void => void log.close({ timeoutMs: options.signalTimeoutMs });
  if (timeoutMs === undefined) abort.signal.addEventListener('abort', bound, { once: true });
  const closed = await log.close(timeoutMs === undefined ? {} : { timeoutMs });
  abort.signal.removeEventListener('abort', bound);
  // Closed, the logger takes nothing more: what the sink still held is counted as dropped after close.
  await Promise.race([ended, delay(1000)]);
  clearInterval(watch);
  const elapsedMs = performance.now() - started;
  for (const target of log.stats().targets) if (!targetMs.has(target.id)) targetMs.set(target.id, elapsedMs);
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  process.off('SIGHUP', onSignal);
  return { stats: log.stats(), elapsedMs, targetMs, signal, closed, readError, read: count.lines };
}

function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms).unref());
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal.aborted) done();
    else signal.addEventListener('abort', () => done(), { once: true });
  });
}

function noteFinished(log: Logger, targetMs: Map<string, number>, started: number): void {
  for (const target of log.stats().targets) {
    if (!targetMs.has(target.id) && target.pending === 0 && target.queueDepth === 0 && spoolLinesOf(target) === 0) {
      targetMs.set(target.id, performance.now() - started);
    }
  }
}

/** How long a stop waits for the rest of a line it cut (see pump). */
const LINE_END_WAIT_MS = 200;

/**
 * Pipes one source into the sink without ending it; resolves at the source's end, or when
 * the signal aborts (the source is let go; what it already gave stays written). A stop that
 * falls inside a line reads on to that line's newline, for at most LINE_END_WAIT_MS: its
 * rest is most often in the pipe already (a read ends where the kernel's buffer did, not
 * where a line does), and the line then ships whole instead of as a fragment that reads as
 * no JSON. A line whose rest does not come in time is shipped as what was read of it.
 */
export function pump(source: Readable, sink: Writable, signal: AbortSignal, count: LineCount): Promise<void> {
  return new Promise((resolveDone, reject) => {
    if (signal.aborted) {
      resolveDone();
      return;
    }
    // Beside pipe()'s own listener: each chunk counted is a chunk written to the sink.
    const onData = (chunk: Buffer | string): void => count.add(chunk);
    let lineEndWait: NodeJS.Timeout | undefined;
    const finish = (error?: Error): void => {
      clearTimeout(lineEndWait);
      source.off('data', onData);
      source.off('data', onRestOfLine);
      signal.removeEventListener('abort', onAbort);
      source.off('end', onEnd);
      source.off('error', finish);
      if (error) reject(error);
      else resolveDone();
    };
    const onEnd = (): void => finish();
    const letGo = (): void => {
      source.pause();
      source.destroy();
      finish();
    };
    const onRestOfLine = (chunk: Buffer | string): void => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const newline = bytes.indexOf(0x0a);
      const taken = newline === -1 ? bytes : bytes.subarray(0, newline + 1);
      sink.write(taken);
      count.add(taken);
      if (newline !== -1) letGo();
    };
    const onAbort = (): void => {
      source.unpipe(sink);
      if (!count.midLine) {
        letGo();
        return;
      }
      source.off('data', onData);
      source.on('data', onRestOfLine);
      lineEndWait = setTimeout(letGo, LINE_END_WAIT_MS);
      source.resume();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    source.once('end', onEnd);
    source.once('error', finish);
    source.on('data', onData);
    source.pipe(sink, { end: false });
  });
}
