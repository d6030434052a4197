import type { Logger, LoggerStats } from '../index.js';

/** How often the drain looks at the counts. */
const POLL_MS = 50;

/**
 * Lines waiting in the targets' spools: the router's (`spooled`) and a batching transport's
 * own (`spoolLines`, which counts what an earlier run left as well as this run's).
 */
export function spoolBacklog(stats: LoggerStats): number {
  let lines = 0;
  for (const target of stats.targets) lines += spoolLinesOf(target);
  return lines;
}

/** One target's lines waiting in spools. */
export function spoolLinesOf(target: LoggerStats['targets'][number]): number {
  const own = (target as { spoolLines?: unknown }).spoolLines;
  return target.spooled + (typeof own === 'number' ? own : 0);
}

/**
 * Keeps the logger open while its spools empty and its records are on their way: a close
 * stops a spool's replay, so a run that closed as soon as its input ended shipped one batch
 * of what an earlier run left, and parks at once what waits out a retry (a blip of a second
 * as the input ended left every record for the next run). Waits until nothing is pending,
 * for as long as the counts move; `idleMs` without a change (the destination is still down)
 * or the signal ends the wait, and the rest stays for the next run.
 */
export async function drainSpools(log: Logger, idleMs: number, signal: AbortSignal): Promise<void> {
  let last = '';
  let changedAt = performance.now();
  while (!signal.aborted) {
    const stats = log.stats();
    const backlog = spoolBacklog(stats);
    if (backlog === 0 && stats.pending === 0) return;
    const now = `${backlog} ${stats.pending} ${stats.delivered} ${stats.failed} ${stats.dropped}`;
    if (now !== last) {
      last = now;
      changedAt = performance.now();
    } else if (performance.now() - changedAt >= idleMs) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
