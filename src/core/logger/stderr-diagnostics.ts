/*
 * Where diagnostics go when the application gave no `diagnostics` handler: stderr, one line
 * each, so a log file that cannot be opened or a backend refusing credentials is seen. The
 * one place the library writes to stderr by itself; `diagnostics: false` turns it off.
 */

import { onStreamError } from '../io/shared-listeners.js';
import { monotonicMs } from '../util/monotonic.js';
import { sanitize } from '../util/sanitize.js';

const WINDOW_MS = 60_000;
/** Distinct problems remembered; past it the oldest is forgotten (and may be said again). */
const MAX_KEYS = 256;
/** Lines said per window at most, whatever the number of distinct problems: a flood must not fill stderr. */
const MAX_LINES = 32;

const HELD_BACK = 'more distinct problems than stderr is given per minute';
/** The window of the line budget: when it began, lines said in it, and problems not said for want of budget. */
const budget = { start: Number.NEGATIVE_INFINITY, lines: 0, unsaid: 0 };

/** Wordings of one problem whose held counts are summed apart; past them, the rest share one sum. */
const MAX_WORDINGS = 8;

/** Counted reports of one wording not said: the last message, their counts summed, how many. */
interface Held {
  last: string;
  total: number;
  repeats: number;
}

interface Said {
  at: number;
  repeats: number;
  /**
   * Counted reports held back, by their words without the count: a problem is known by its
   * words with every number made "#", so "HTTP 503" and "HTTP 400" are one problem, but their
   * counts are summed apart (said as 400s, the 503s would be misread).
   */
  held?: Map<string, Held>;
  /** Wordings past MAX_WORDINGS are summed into the last kept one: said so. */
  mixed?: boolean;
}

/** Shared by every logger of the process: twenty loggers with one problem say it once. */
const said = new Map<string, Said>();

/** Counts and ids vary between repeats of one problem ("3 record(s) failed"): they do not make it new. */
function keyOf(message: string): string {
  return message.replace(/\d+/g, '#');
}

/** A problem said within the window whose message this one contains (as the reason of a failure). */
function cover(key: string, now: number): Said | undefined {
  for (const [other, entry] of said) {
    if (now - entry.at < WINDOW_MS && other !== key && key.includes(other)) return entry;
  }
  return undefined;
}

function remember(key: string, entry: Said): void {
  said.delete(key);
  if (said.size >= MAX_KEYS) said.delete(said.keys().next().value!);
  said.set(key, entry);
}

export function writeDiagnostic(message: string): void {
  // Monotonic: a wall clock set back an hour would silence a recurring problem for that hour.
  const now = monotonicMs();
  const key = keyOf(message);
  const exact = said.get(key);
  if (exact && now - exact.at < WINDOW_MS) {
    exact.repeats++;
    held(exact, message);
    return;
  }
  const before = exact?.repeats ?? 0;
  const covering = cover(key, now);
  if (covering) {
    // Counted under its own key, so it is said with its count once the window has passed.
    const entry: Said = { at: covering.at, repeats: before + 1, held: exact?.held, mixed: exact?.mixed };
    remember(key, entry);
    held(entry, message);
    return;
  }
  if (now - budget.start >= WINDOW_MS) {
    budget.start = now;
    budget.lines = 0;
  }
  if (budget.lines >= MAX_LINES) {
    // Not said now: said once the budget allows, if it recurs. A problem new in the minute is
    // remembered as not said yet (its time long past), so its count is summed then or at the end.
    const entry = exact ?? { at: Number.NEGATIVE_INFINITY, repeats: 0 };
    if (exact === undefined) remember(key, entry);
    entry.repeats++;
    held(entry, message);
    if (budget.unsaid++ === 0) {
      say(`${HELD_BACK}: the rest are not shown (a diagnostics handler hears all)`);
    }
    return;
  }
  budget.lines++;
  remember(key, { at: now, repeats: 0 });
  // Counts the minute held back are summed in a line of their own, so what stderr says adds up.
  const summary = exact === undefined ? [] : heldSummary(exact, 'in the minute before');
  for (const line of summary) say(line);
  const again = before > 0 && summary.length === 0 ? ` (said ${before} more time(s) in the minute before)` : '';
  const unsaid = budget.unsaid > 0 ? ` (${budget.unsaid} other problem(s) not shown before it)` : '';
  budget.unsaid = 0;
  // One line, and nothing in it the terminal would act on (a backend's answer quoted in a failure).
  say(`${oneLine(message)}${again}${unsaid}`);
}

/** A message as one line, with nothing in it the terminal would act on. */
function oneLine(message: string): string {
  return sanitize(message.replace(/\s*\n\s*/g, ' '));
}

/** The exit listener that says the held counts is added once, with the first count held. */
let exitHeard = false;

/** Heard for good once stderr is written to: a pipe's EPIPE comes later, as an event that would end the process. */
let stderrHeard = false;

const LEADING_COUNT = /^\d+/;

/** A repeat not said now: kept (with its count) for the line said at the process's end. */
function held(entry: Said, message: string): void {
  const count = LEADING_COUNT.exec(message);
  if (count !== null) {
    entry.held ??= new Map();
    const heldBack = entry.held;
    const words = message.slice(count[0].length);
    let wording = heldBack.get(words);
    if (wording === undefined && heldBack.size >= MAX_WORDINGS) {
      // Kept last in the map, so it is said last, under the latest words.
      wording = [...heldBack.values()].at(-1)!;
      entry.mixed = true;
    }
    if (wording === undefined) {
      wording = { last: message, total: 0, repeats: 0 };
      heldBack.set(words, wording);
    }
    wording.last = message;
    wording.total += Number(count[0]);
    wording.repeats++;
  }
  if (!exitHeard) {
    exitHeard = true;
    process.once('exit', sayHeld);
  }
}

/**
 * At the process's end, the counted problems the window held back since each was last said,
 * one line per problem, their counts summed ("1024 record(s) failed" said once, then
 * folded for the minute, read as if 1,024 were all that failed of 100,000).
 */
function sayHeld(): void {
  for (const entry of said.values()) for (const line of heldSummary(entry, 'until the end')) say(line);
}

/**
 * The counted reports an entry held back, summed in a line per wording (then forgotten); none
 * without a count: a problem without one (a file that cannot be opened) was said as it is,
 * and once is enough.
 */
function heldSummary(entry: Said, until: string): string[] {
  const heldBack = entry.held;
  if (heldBack === undefined) return [];
  const lines: string[] = [];
  const wordings = [...heldBack.values()];
  wordings.forEach(({ last, total, repeats }, index) => {
    const text = oneLine(last).replace(LEADING_COUNT, String(total));
    const mixed = entry.mixed && index === wordings.length - 1 ? ', in other words as well' : '';
    lines.push(`${text}, in ${repeats} report(s) held back ${until}${mixed}`);
  });
  entry.held = undefined;
  entry.mixed = undefined;
  return lines;
}

function say(text: string): void {
  if (!stderrHeard) {
    stderrHeard = true;
    onStreamError(process.stderr, () => {});
  }
  try {
    process.stderr.write(`streamlog: ${text}\n`);
  } catch {
    // stderr closed: nowhere left to say it.
  }
}
