/**
 * Milliseconds on a monotonic clock, for durations and deadlines within the process (never
 * set back with the wall clock). Not `performance.now()`: the `performance` global loads
 * node:perf_hooks on first use, about 1.5 ms, which a logger that has written nothing yet
 * paid in its first write or in `close()`.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
