/** The longest delay a Node timer keeps as given. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Resolves true when `work` settles first, false when `timeoutMs` passes first (no timeout,
 * Infinity, NaN or more than a timer holds: waits) or `cut` resolves first (a later, shorter
 * deadline). The timer keeps the process alive: code after `await log.close({ timeoutMs })`
 * must run even when the destination is stalled and nothing else is pending.
 */
export async function withTimeout(
  work: Promise<unknown>,
  timeoutMs: number | undefined,
  cut?: Promise<false>,
): Promise<boolean> {
  const done = work.then(() => true as const);
  // A timer holds at most 2**31 - 1 ms: Node cuts a longer delay (Infinity too) to 1 ms, which
  // would give up at once on what `close(Infinity)` asks to wait for. NaN says no time either.
  if (timeoutMs === undefined || !(timeoutMs <= MAX_TIMER_MS)) {
    return cut === undefined ? await done : await Promise.race([done, cut]);
  }
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race(cut === undefined ? [done, expired] : [done, expired, cut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether a timer can wait `timeoutMs` as given (a number of at most 2**31 - 1 ms). */
export function timerHolds(timeoutMs: number | undefined): timeoutMs is number {
  return timeoutMs !== undefined && timeoutMs <= MAX_TIMER_MS;
}

/**
 * Runs `fn` once this turn of the event loop has read its sockets: for a timeout that gives
 * up on an answer. Node runs expired timers before it reads, so a process thawed after a
 * freeze (SIGSTOP, a serverless instance between invocations, a paused container) fired every
 * timeout it had before taking the answers that came meanwhile, and gave them up as missing.
 */
export function afterReads(fn: () => void): void {
  setImmediate(fn);
}
