import { toError } from './transport.js';

/** What became of one attempt at a batch: the processor's answer, normalised. */
export type Verdict =
  | { kind: 'delivered' }
  /** Try the same batch again later (after `retryAfterMs` when the destination said). */
  | { kind: 'retry'; reason: Error; retryAfterMs?: number }
  /** The batch is too large: send each half on its own. */
  | { kind: 'split'; reason: Error }
  /** Something in the batch is refused: halve it until the poison records stand alone. */
  | { kind: 'bisect'; reason: Error }
  /** Give the batch up: its records fail with the reason. `circuit` opens the target's circuit. */
  | { kind: 'fail'; reason: Error; circuit?: boolean }
  /**
   * Per record: which failed (index → reason) and which to retry (indexes), why they wait
   * (`reason`), and whether the destination may already hold those (`outcomeUnknown`).
   */
  | { kind: 'partial'; failed: Map<number, Error>; retry: number[]; reason?: Error; outcomeUnknown?: boolean };

/**
 * What a processor may return: nothing (all delivered), a verdict, or the short form of a
 * partial result, `{ failed, retry }`, where `failed` is indexes (failed with a generic
 * reason), `[index, reason]` pairs or a Map; `reason` says why the `retry` ones wait, and
 * `outcomeUnknown: true` that they were sent and may have arrived (a later delivery of them
 * counts as a possible duplicate). Throwing means "try again later".
 */
export type BatchResult =
  | undefined
  | Verdict
  | {
      failed?: ReadonlyMap<number, Error> | Iterable<readonly [number, Error]> | readonly number[];
      retry?: readonly number[];
      reason?: unknown;
      outcomeUnknown?: boolean;
    };

const DELIVERED: Verdict = { kind: 'delivered' };

/** The verdict a processor's answer stands for; a malformed answer fails the batch, saying why. */
export function verdictOf(result: unknown, size: number): Verdict {
  if (result === undefined || result === null) return DELIVERED;
  if (typeof result !== 'object') return malformed(`returned a ${typeof result}`);
  // A bare list or Map is most likely meant as `failed`: guessing could deliver a refused record.
  if (Array.isArray(result) || result instanceof Map) {
    return malformed(`returned ${Array.isArray(result) ? 'an array' : 'a Map'}; return { failed } instead`);
  }
  const answer = result as { kind?: unknown; failed?: unknown; retry?: unknown };
  if (answer.kind !== undefined) return checkedVerdict(answer as Record<string, unknown>, size);
  return shortForm(answer, size);
}

/** A verdict from a processor (or a plugin's preset): its kind known, its reason an Error, its indexes in range. */
function checkedVerdict(answer: Record<string, unknown>, size: number): Verdict {
  const reason = answer.reason === undefined ? undefined : toError(answer.reason);
  switch (answer.kind) {
    case 'delivered':
      return DELIVERED;
    case 'retry': {
      const delay = answer.retryAfterMs;
      return {
        kind: 'retry',
        reason: reason ?? new Error('the processor asked for a retry'),
        retryAfterMs: typeof delay === 'number' && Number.isFinite(delay) ? delay : undefined,
      };
    }
    case 'split':
    case 'bisect':
      return { kind: answer.kind, reason: reason ?? new Error(`refused by the processor (${answer.kind})`) };
    case 'fail':
      return {
        kind: 'fail',
        reason: reason ?? new Error('refused by the processor'),
        circuit: answer.circuit === true,
      };
    case 'partial':
      return shortForm(answer, size);
    default:
      return malformed(`has an unknown kind ${JSON.stringify(String(answer.kind))}`);
  }
}

/** `{ failed, retry }`: indexes, `[index, reason]` pairs or a Map for the refused; indexes to retry. */
function shortForm(
  answer: { failed?: unknown; retry?: unknown; reason?: unknown; outcomeUnknown?: unknown },
  size: number,
): Verdict {
  const failed = new Map<number, Error>();
  const refused = new Error('refused by the processor');
  try {
    const entries = answer.failed instanceof Map ? answer.failed.entries() : answer.failed;
    if (entries !== undefined && typeof (entries as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      return malformed('gave "failed" that is not a list');
    }
    for (const entry of (entries ?? []) as Iterable<unknown>) {
      const [index, reason] = typeof entry === 'number' ? [entry, refused] : (entry as [unknown, unknown]);
      if (!isIndex(index, size)) return malformed(`named record ${String(index)} of a batch of ${size}`);
      failed.set(index, reason === refused ? refused : toError(reason));
    }
  } catch (error) {
    return malformed(`"failed" could not be read: ${toError(error).message}`);
  }
  if (answer.retry !== undefined && !Array.isArray(answer.retry)) return malformed('gave "retry" that is not a list');
  const retry = (answer.retry ?? []) as unknown[];
  for (const index of retry) {
    if (!isIndex(index, size)) return malformed(`named record ${String(index)} of a batch of ${size}`);
  }
  if (failed.size === 0 && retry.length === 0) return DELIVERED;
  const verdict: Verdict = {
    kind: 'partial',
    failed,
    retry: [...new Set(retry as number[])].filter((i) => !failed.has(i)),
  };
  if (answer.reason !== undefined) verdict.reason = toError(answer.reason);
  if (answer.outcomeUnknown === true) verdict.outcomeUnknown = true;
  return verdict;
}

function isIndex(value: unknown, size: number): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) < size;
}

function malformed(what: string): Verdict {
  return { kind: 'fail', reason: new Error(`the batch processor's answer is not usable: it ${what}`) };
}
