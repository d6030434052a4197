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
  const { failed, dropped, pending } = outcome.stats;
  return failed + dropped + pending;
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
  const rate = Math.round(s.logged / (outcome.elapsedMs / 1000));
  return (
    table(rows, 2) +
    `${s.logged} records in ${seconds(outcome.elapsedMs)} (${rate}/s): ${s.delivered} delivered, ` +
    `${s.failed} failed, ${s.dropped} dropped${s.pending > 0 ? `, ${s.pending} pending (${spoolNote(s)})` : ''} ` +
    `under the ${s.strategy} strategy\n`
  );
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
  return (
    `streamlog: ${undelivered(outcome)} of ${s.logged} records not delivered under the ${s.strategy} strategy ` +
    `(${parts.join(', ')})${reasons ? `; ${reasons}` : ''}\n`
  );
}
