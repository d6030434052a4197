/**
 * A socket write the peer does not read stays a pending request in libuv, and a pending request
 * keeps Node's event loop alive even on an unref'd socket. A script that returned while a
 * receiver had stopped reading would then wait for the attempt's own timeout (30 s by default)
 * instead of reaching `beforeExit`, where the exit path bounds the wait by exitTimeoutMs.
 *
 * So a write whose callback has not come is watched: once nothing but stalled writes keeps the
 * loop alive and the write has made no progress for a second, it is abandoned (the caller
 * destroys its socket). What it held is retried under a backoff that keeps nothing alive, the
 * loop empties, and the exit path decides. The test is conservative: any timer, immediate,
 * other request or handle that may be active (but standard output and error) means the process
 * still has work of its own, and the write is left to its timeout as before.
 */

const CHECK_MS = 250;
/**
 * Checks in a row without progress, with only stalled writes alive, before giving up the write:
 * a second, so a receiver that only pauses (its own collection, a busy host) is waited for.
 */
const IDLE_CHECKS = 4;
/** Requests Node lists for a stream write (plain, and the one that carries several buffers). */
const WRITE_REQUESTS = new Set(['SimpleWriteWrap', 'WriteWrap']);
/** Handles that stay ref'd for a process's life without keeping the loop alive when idle. */
const STDIO_HANDLES = new Set(['PipeWrap', 'TTYWrap']);

/** Writes of this thread being watched, whose callback has not come. */
let watched = 0;

/**
 * Watches one write until the returned function is called (its callback came). `progress`
 * returns a number that changes whenever the write moves on (bytes left, callbacks answered);
 * `abandon` is called at most once, when only stalled writes keep the process alive.
 */
export function watchStalledWrite(progress: () => number, abandon: () => void): () => void {
  watched++;
  let last = progress();
  let idle = 0;
  const timer = setInterval(() => {
    const now = progress();
    idle = now === last && onlyStalledWritesKeepAlive() ? idle + 1 : 0;
    last = now;
    if (idle < IDLE_CHECKS) return;
    stop();
    abandon();
  }, CHECK_MS);
  timer.unref();
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    watched--;
    clearInterval(timer);
  };
  return stop;
}

interface ProcessInternals {
  getActiveResourcesInfo?: () => string[];
  _getActiveHandles?: () => unknown[];
}

/** Does nothing but the watched writes keep this thread's event loop alive? */
function onlyStalledWritesKeepAlive(): boolean {
  const internals = process as unknown as ProcessInternals;
  const resources = internals.getActiveResourcesInfo?.();
  if (resources === undefined) return false;
  let writes = 0;
  let stdio = false;
  for (const type of resources) {
    if (WRITE_REQUESTS.has(type)) writes++;
    else if (STDIO_HANDLES.has(type)) stdio = true;
    else return false;
  }
  if (writes > watched) return false;
  // A pipe or terminal listed may be standard input being read, or another program's pipe:
  // only the standard output and error, ref'd for good and idle unless written, are left out.
  if (!stdio) return true;
  const handles = internals._getActiveHandles?.();
  return handles?.every((handle) => handle === process.stdout || handle === process.stderr) ?? false;
}
