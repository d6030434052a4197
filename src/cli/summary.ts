import type { Outcome } from './forward.js';
import { shown } from './terminal.js';

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function table(given: string[][], rightFrom: number): string {
  // A target's id comes from the config: shown, not acted on, as any text from outside.
  const rows = given.map((row) => row.map(shown));
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) => r.map((cell, c) => (c >= rightFrom ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  '))
    .map((line) => `${line.trimEnd()}\n`)
    .join('');
}

/**
 * Records that did not reach their destinations under the strategy. Those a target left out
 * on purpose (a validating target's `skip`) are dropped, but by the config's own choice: no
 * failure of the run.
 */
export function undelivered(outcome: Outcome): number {
  const { failed, dropped, leftOut, pending, droppedAfterClose } = outcome.stats;
  return failed + dropped - leftOut + pending + droppedAfterClose;
}

/**
 * Lines earlier runs parked that are still in a spool: not this run's records (its counts
 * never held them), but still not shipped, so the run did not do its work. Per target: the
 * lines of its transport's spool that are not this run's parked records, and those an earlier
 * run left in the router's spool for it.
 */
export function leftInSpools(outcome: Outcome): number {
  let left = 0;
  for (const target of outcome.stats.targets) {
    left += Math.max(0, numberOf(target, 'spoolLines') - target.parked) + numberOf(target, 'spooledAdopted');
  }
  return left;
}

/** What became of the records earlier runs parked (this run's counts never held them). */
interface EarlierRuns {
  delivered: number;
  /** Refused by the destination, record by record (dead-lettered when there is a dead letter). */
  refused: number;
  /** Dropped for a spool's bound, pushed out by newer lines (dead-lettered too). */
  dropped: number;
}

function earlierRuns(outcome: Outcome): EarlierRuns {
  const runs: EarlierRuns = { delivered: 0, refused: outcome.stats.adoptedFailed, dropped: 0 };
  for (const target of outcome.stats.targets) {
    runs.delivered += numberOf(target, 'replayed');
    runs.refused += numberOf(target, 'replayFailed');
    runs.dropped += numberOf(target, 'adoptedDropped');
  }
  return runs;
}

/** Records earlier runs parked that are gone without delivery. */
export function lostFromSpools(outcome: Outcome): number {
  const runs = earlierRuns(outcome);
  return runs.refused + runs.dropped;
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
    `${s.failed} failed, ${s.dropped} dropped${s.leftOut > 0 ? ` (${s.leftOut} left out on purpose)` : ''}` +
    `${s.pending > 0 ? `, ${s.pending} pending (${spoolNote(s)})` : ''}` +
    `${unrouted(outcome)} under the ${s.strategy} strategy\n` +
    earlierRunsLine(outcome) +
    uncertaintyLines(outcome)
  );
}

/** Records out with no answer when the run stopped, over every target. */
function unanswered(outcome: Outcome): number {
  let count = 0;
  for (const target of outcome.stats.targets) count += numberOf(target, 'unanswered');
  return count;
}

/**
 * What may be at a destination twice: records sent again after an attempt with no answer
 * (this run's, or an earlier run's parked ones), and this run's records that were out with
 * no answer when it stopped (counted failed or parked, yet the destination may have them).
 */
function uncertaintyLines(outcome: Outcome): string {
  const twice = outcome.stats.possibleDuplicates;
  const out = unanswered(outcome);
  let text = '';
  if (twice > 0) text += `${twice} sent again after an attempt with no answer: the destination may have them twice\n`;
  if (out > 0) {
    text +=
      `${out} were out with no answer when the run stopped (failed, or left in a spool): ` +
      'the destination may have them\n';
  }
  return text;
}

/** The table's line for the records earlier runs parked (the counts above it are this run's). */
function earlierRunsLine(outcome: Outcome): string {
  const { delivered, refused, dropped } = earlierRuns(outcome);
  const total = delivered + refused + dropped;
  if (total === 0) return '';
  const droppedPart = dropped > 0 ? `, ${dropped} dropped for the spool's maxBytes` : '';
  return `${total} records earlier runs parked: ${delivered} delivered, ${refused} refused${droppedPart}\n`;
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
    .map((t) => `${shown(t.id)}: ${shown(t.lastError)}`)
    .join('; ');
  const parts = [`${s.failed} failed`, `${s.dropped - s.leftOut} dropped`];
  const { spooled } = s.pendingDetail;
  if (spooled > 0) parts.push(`${spooled} parked in a spool for the next run`);
  if (s.pending > spooled) parts.push(`${s.pending - spooled} not settled in time`);
  if (s.droppedAfterClose > 0) parts.push(`${s.droppedAfterClose} not taken before the stop`);
  const line =
    `streamlog: ${undelivered(outcome)} of ${Math.max(outcome.read, s.logged)} records not delivered ` +
    `under the ${s.strategy} strategy ` +
    `(${parts.join(', ')})${reasons ? `; ${reasons}` : ''}\n`;
  const out = unanswered(outcome);
  const maybe = out > 0 ? `streamlog: ${out} of them were out with no answer: the destination may have them\n` : '';
  return (undelivered(outcome) > 0 ? line + maybe : '') + earlierRunsFailures(outcome);
}

/** The lines on stderr for records earlier runs parked that this run did not ship. */
function earlierRunsFailures(outcome: Outcome): string {
  const { refused, dropped } = earlierRuns(outcome);
  const left = leftInSpools(outcome);
  const parked = (count: number, was: string, were: string) =>
    `streamlog: ${count} record${count === 1 ? '' : 's'} an earlier run parked ${count === 1 ? was : were}`;
  let out = '';
  if (refused > 0) out += `${parked(refused, 'was', 'were')} refused by the destination\n`;
  if (dropped > 0) out += `${parked(dropped, 'was', 'were')} dropped for the spool's maxBytes\n`;
  if (left > 0) out += `${parked(left, 'is', 'are')} still in a spool for the next run\n`;
  return out;
}
