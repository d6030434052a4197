/**
 * Resolves true when `work` settles first, false when `timeoutMs` passes first (no timeout:
 * waits). The timer keeps the process alive: code after `await log.close({ timeoutMs })`
 * must run even when the destination is stalled and nothing else is pending.
 */
export async function withTimeout(work: Promise<unknown>, timeoutMs: number | undefined): Promise<boolean> {
  if (timeoutMs === undefined) {
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
