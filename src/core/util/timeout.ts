/** The longest delay a Node timer keeps as given. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Resolves true when `work` settles first, false when `timeoutMs` passes first (no timeout,
 * Infinity, NaN or more than a timer holds: waits). The timer keeps the process alive: code
 * after `await log.close({ timeoutMs })` must run even when the destination is stalled and
 * nothing else is pending.
 */
export async function withTimeout(work: Promise<unknown>, timeoutMs: number | undefined): Promise<boolean> {
  // A timer holds at most 2**31 - 1 ms: Node cuts a longer delay (Infinity too) to 1 ms, which
  // would give up at once on what `close(Infinity)` asks to wait for. NaN says no time either.
  if (timeoutMs === undefined || !(timeoutMs <= MAX_TIMER_MS)) {
    await work;
    return true;
  }
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([work.then(() => true as const), expired]);
  } finally {
    clearTimeout(timer);
  }
}
