import type { Outcome } from './forward.js';

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function table(rows: string[][], rightFrom: number): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) => r.map((cell, c) => (c >= rightFrom ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  '))
    .map((line) => `${line.trimEnd()}\n`)
    .join('');
}

/** Records that did not reach their destinations under the strategy. */
export function undelivered(outcome: Outcome): number {
  const { failed, dropped, pending, droppedAfterClose } = outcome.stats;
  return failed + dropped + pending + droppedAfterClose;
}

/**
 * Lines an earlier run left in a spool that are still there: not this run's records (its
 * counts never held them), but still not shipped, so the run did not do its work.
 */
export function leftInSpools(outcome: Outcome): number {
  return Math.max(0, outcome.spoolBacklog - outcome.stats.pendingDetail.spooled);
}

/** Per transport: delivered, failed, dropped, retries (batching transports), time until it held nothing. */
export function summaryTable(outcome: Outcome): string {
  const rows = [['target', 'type', 'delivered', 'failed', 'dropped', 'retries', 'time']];
  for (const target of outcome.stats.targets) {
    const retries = (target as { retries?: unknown }).retries;
    rows.push([
      target.id,
      target.type,
      String(target.delivered),
      String(target.failed),
      String(target.dropped),
      typeof retries === 'number' ? String(retries) : '-',
      seconds(outcome.targetMs.get(target.id) ?? outcome.elapsedMs),
    ]);
  }
  const s = outcome.stats;
  const read = outcome.read;
  const rate = Math.round(read / (outcome.elapsedMs / 1000));
  return (
    table(rows, 2) +
    `${read} records in ${seconds(outcome.elapsedMs)} (${rate}/s): ${s.delivered} delivered, ` +
    `${s.failed} failed, ${s.dropped} dropped${s.pending > 0 ? `, ${s.pending} pending (${spoolNote(s)})` : ''}` +
    `${unrouted(outcome)} under the ${s.strategy} strategy\n` +
    earlierRuns(outcome)
  );
}

/** What became of the records earlier runs left in the spools (the counts above are this run's). */
function earlierRuns(outcome: Outcome): string {
  let replayed = 0;
  let refused = 0;
  for (const target of outcome.stats.targets) {
    replayed += numberOf(target, 'replayed');
    refused += numberOf(target, 'replayFailed');
  }
  if (replayed + refused === 0) return '';
  return `${replayed + refused} records earlier runs parked: ${replayed} delivered, ${refused} refused\n`;
}

function numberOf(target: Outcome['stats']['targets'][number], key: string): number {
  const value = (target as unknown as Record<string, unknown>)[key];
  return typeof value === 'number' ? value : 0;
}

/**
 * What makes the counts add up: records read that no target takes at their level are
 * never built (read - logged), and the logger's own records (a drop summary) are routed
 * beside the ones read (logged - read).
 */
function unrouted(outcome: Outcome): string {
  const { droppedAfterClose } = outcome.stats;
  const logged = outcome.stats.logged + droppedAfterClose;
  const late = droppedAfterClose > 0 ? `, ${droppedAfterClose} not taken before the stop` : '';
  return late + levelNote(outcome, logged);
}

function levelNote(outcome: Outcome, logged: number): string {
  if (logged < outcome.read) return `, ${outcome.read - logged} below every target's level`;
  if (logged > outcome.read) return `, counting ${logged - outcome.read} of the logger's own`;
  return '';
}

function spoolNote(s: Outcome['stats']): string {
  return `${s.pendingDetail.spooled} in a spool, ${s.pending - s.pendingDetail.spooled} unsettled`;
}

/** The one line on stderr when records failed (exit 1). */
export function failureLine(outcome: Outcome): string {
  const s = outcome.stats;
  const reasons = s.targets
    .filter((t) => t.failed + t.dropped > 0 && t.lastError)
    .map((t) => `${t.id}: ${t.lastError}`)
    .join('; ');
  const parts = [`${s.failed} failed`, `${s.dropped} dropped`];
  const { spooled } = s.pendingDetail;
  if (spooled > 0) parts.push(`${spooled} parked in a spool for the next run`);
  if (s.pending > spooled) parts.push(`${s.pending - spooled} not settled in time`);
  if (s.droppedAfterClose > 0) parts.push(`${s.droppedAfterClose} not taken before the stop`);
  const line =
    `streamlog: ${undelivered(outcome)} of ${Math.max(outcome.read, s.logged)} records not delivered ` +
    `under the ${s.strategy} strategy ` +
    `(${parts.join(', ')})${reasons ? `; ${reasons}` : ''}\n`;
  return undelivered(outcome) > 0 ? line + leftLine(outcome) : leftLine(outcome);
}

function leftLine(outcome: Outcome): string {
  const left = leftInSpools(outcome);
  return left > 0 ? `streamlog: ${left} records an earlier run parked are still in a spool for the next run\n` : '';
}
