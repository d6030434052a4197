/**
 * The one exit path, for every way a process ends. When the event loop empties
 * (`beforeExit`: a script that returns), asynchronous transports get to send what they
 * hold, bounded in time. When the process is about to end — `process.exit()`, a fatal
 * exception (first logged as a fatal record), or SIGTERM/SIGINT/SIGHUP that nobody else handles
 * (re-raised once done) — what is buffered is written synchronously and what an
 * asynchronous transport holds is parked in its spool or failed, counted. A signal the
 * application handles only flushes: its own shutdown decides (it calls close()). Hooks are
 * installed lazily and removed when no logger needs them, so a process without open
 * loggers behaves exactly as Node's defaults say.
 */
import { constants } from 'node:os';
import { holdEvents, releaseEvents } from '../util/exit-hold.js';

export interface ExitParticipant {
  flushSync(): void;
  /**
   * The process is about to end, synchronously: from now on every record is written before
   * the call returns, and what cannot be sent is parked or failed.
   */
  exitSync(): void;
  /** The event loop is empty: send what is held, keeping the process alive a bounded time. */
  beforeExit(): void;
  /** Log the exception that is about to kill the process. */
  logUncaught?(error: unknown, origin: string): void;
  readonly handleExceptions: boolean;
  readonly handleSignals: boolean;
}

// SIGHUP too: it ends a Node process by default (a closed terminal or ssh session; Node
// resets it to the default at start, so even nohup does not keep it away). Not SIGUSR2
// (nodemon's restart), though it ends the process by default too: heapdump and others catch
// it in native code, where no listener shows, and the signal raised again took a second heap
// snapshot while every later record failed as if the process had ended.
const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
type HandledSignal = (typeof SIGNALS)[number];
const live = new Set<ExitParticipant>();
let exitHooked = false;
let exited = false;
let monitorHooked = false;
let signalsHooked = false;
/**
 * Signals whose application listener was removed in this turn of the event loop. Counting
 * listeners when the signal arrives is not enough: a `process.once` handler that ran just
 * before ours has already removed itself. One removed long ago (a prompt that listened
 * for a while) no longer counts: then the signal ends the process, as Node's default does.
 */
const justRemoved = new Set<HandledSignal>();

/**
 * Marks the signal listener of every copy of streamlog in the process (two installed versions,
 * a library's own): each must see the others' as no application listener, or each would leave
 * the signal to the other and the process would live on after SIGTERM.
 */
const STREAMLOG_LISTENER = Symbol.for('streamlog.signalListener');

function isStreamlogListener(listener: unknown): boolean {
  return typeof listener === 'function' && STREAMLOG_LISTENER in listener;
}

/**
 * signal-exit (loaded by execa, ora, write-file-atomic…) listens for these signals and raises
 * one again only when its own listeners are the only ones, which it counts in an object it
 * keeps on the global (v4) or on process (v3): one listener per signal for each copy loaded.
 * Its listeners are not the application's: it waits for the process to end too, so each would
 * leave the signal to the other, and the process would live on.
 */
const SIGNAL_EXIT_V4 = Symbol.for('signal-exit emitter');

function signalExitListeners(): number {
  const v4 = (globalThis as Record<symbol, unknown>)[SIGNAL_EXIT_V4];
  const v3 = (process as { __signal_exit_emitter__?: unknown }).__signal_exit_emitter__;
  let count = 0;
  for (const emitter of v3 === v4 ? [v4] : [v4, v3]) {
    const loaded = (emitter as { count?: unknown } | null | undefined)?.count;
    if (typeof loaded === 'number' && loaded > 0) count += loaded;
  }
  return count;
}

/** Listeners of the application (or of another library) for a signal. */
function applicationListeners(signal: NodeJS.Signals): number {
  const others = process.listeners(signal).filter((listener) => !isStreamlogListener(listener)).length;
  return Math.max(0, others - signalExitListeners());
}

/**
 * signal-exit's own listener, by its source: it reads the count signal-exit keeps (v4 names
 * `__signal_exit_emitter__` there, v3 its `emitter.count`). Its removal (execa unsubscribes
 * around every child it runs) is no application handler that has just run.
 */
function isSignalExitListener(listener: unknown): boolean {
  try {
    return typeof listener === 'function' && /__signal_exit_emitter__|emitter\.count/.test(String(listener));
  } catch {
    return false;
  }
}

function noteRemoved(event: string | symbol, listener: unknown): void {
  const signal = event as HandledSignal;
  if (
    SIGNALS.includes(signal) &&
    !isStreamlogListener(listener) &&
    !isSignalExitListener(listener) &&
    !justRemoved.has(signal)
  ) {
    justRemoved.add(signal);
    setImmediate(() => justRemoved.delete(signal)).unref();
  }
}

function flushAll(): void {
  for (const item of live) {
    try {
      item.flushSync();
    } catch {
      // Exit is no place to throw; the transport already counted its failure.
    }
  }
}

function onExit(): void {
  if (exited) return;
  exited = true;
  // Every logger is through before any listener hears of it: one may call process.exit().
  holdEvents();
  try {
    for (const item of live) {
      try {
        item.exitSync();
      } catch {
        // Exit is no place to throw; what could not be written was counted.
      }
    }
  } finally {
    // Never left holding: every later event of every logger would wait for good.
    releaseEvents();
  }
}

/**
 * A signal that came while the script's last synchronous step ran is read only when the event
 * loop polls, and an empty loop does not: with our listener in place of Node's default
 * (terminate), the process would end with code 0, the signal unheard. One more turn of the loop
 * reads it; one only, so that turn's own end (the next `beforeExit`) does not ask for another.
 * Not when the application listens for `beforeExit` itself: the turn would make Node call its
 * listener a second time, which it would not have done (one that closes a file threw).
 */
let signalTurn: 'none' | 'asked' | 'taken' = 'none';

function readPendingSignals(): void {
  if (!signalsHooked || signalTurn === 'asked' || process.listenerCount('beforeExit') > 1) return;
  if (signalTurn === 'taken') {
    signalTurn = 'none';
    return;
  }
  signalTurn = 'asked';
  setImmediate(() => {
    signalTurn = 'taken';
  });
}

function onBeforeExit(): void {
  readPendingSignals();
  eachBeforeExit();
  // The application's listeners added after ours run after it, and what they log would be
  // held with nothing keeping the process alive (Node ended it, failing those records): looked
  // at again once every listener has run, before Node decides whether the process ends.
  queueMicrotask(eachBeforeExit);
}

function eachBeforeExit(): void {
  for (const item of live) {
    try {
      item.beforeExit();
    } catch {
      // The process ends all the same; the 'exit' hook parks or fails what is held.
    }
  }
}

/**
 * Will this exception end the process, or does the application handle it? The monitor hears
 * an unhandled rejection only as Node raises it as an uncaught exception (by default when
 * nobody listens for 'unhandledRejection', always under `--unhandled-rejections=strict`), so
 * an 'uncaughtException' listener alone decides for both.
 */
function fatal(): boolean {
  // Domains and the REPL take every uncaught exception this way: the process lives on.
  if (process.hasUncaughtExceptionCaptureCallback()) return false;
  return process.listenerCount('uncaughtException') === 0;
}

function onUncaught(error: unknown, origin: string): void {
  if (!fatal()) return;
  for (const item of live) {
    if (!item.handleExceptions) continue;
    try {
      item.logUncaught?.(error, origin);
    } catch {
      // Logging the crash must not replace the crash.
    }
  }
  flushAll();
}

function onSignal(signal: NodeJS.Signals): void {
  // When we are the only listener, Node's default (terminate by this signal) must still
  // happen: the process ends as on exit(), then we step aside and raise it again.
  // Otherwise the application decides, and its shutdown calls close().
  if (!justRemoved.has(signal as HandledSignal) && applicationListeners(signal) === 0) {
    onExit();
    unhookSignals();
    // A PID namespace's init (node as a container's command) is spared every signal it has no
    // handler for: raised again, the signal would be ignored and the process live on until a
    // SIGKILL. It ends as a death by that signal is reported, 128 + its number.
    if (process.pid === 1) process.exit(128 + constants.signals[signal]);
    process.kill(process.pid, signal);
    return;
  }
  flushAll();
}

Object.defineProperty(onSignal, STREAMLOG_LISTENER, { value: true });

function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on('removeListener', noteRemoved);
}

function unhookSignals(): void {
  if (!signalsHooked) return;
  signalsHooked = false;
  for (const signal of SIGNALS) process.off(signal, onSignal);
  process.off('removeListener', noteRemoved);
}

export function registerForExit(item: ExitParticipant): void {
  live.add(item);
  // The first logger made in an 'exit' listener: ours, added now, is not called in this 'exit'
  // (Node calls the listeners it had), so what it logged was held for good. Node marks the
  // process as exiting before that event, in every way it ends.
  if ((process as { _exiting?: boolean })._exiting === true) exited = true;
  // Made while the process is ending (in an 'exit' listener): no later tick will write what
  // it buffers, and our 'exit' hook has run already, so it writes through from its start.
  if (exited) {
    try {
      item.exitSync();
    } catch {
      // As in onExit: what could not be written was counted.
    }
  }
  if (!exitHooked) {
    exitHooked = true;
    // First: an 'exit' listener added before ours that throws ends the process there (pino's
    // for a pino.destination() still opening its file does), and ours would never run.
    process.prependListener('exit', onExit);
    process.on('beforeExit', onBeforeExit);
  }
  if (item.handleExceptions && !monitorHooked) {
    monitorHooked = true;
    process.on('uncaughtExceptionMonitor', onUncaught);
  }
  if (item.handleSignals) hookSignals();
}

export function unregisterForExit(item: ExitParticipant): void {
  live.delete(item);
  if (![...live].some((i) => i.handleSignals)) unhookSignals();
  if (live.size === 0) {
    if (exitHooked) {
      process.off('exit', onExit);
      process.off('beforeExit', onBeforeExit);
    }
    if (monitorHooked) process.off('uncaughtExceptionMonitor', onUncaught);
    exitHooked = false;
    monitorHooked = false;
  }
}
