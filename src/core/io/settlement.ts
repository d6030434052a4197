/**
 * How whoever holds items (records, dead-letter entries) hears what became of them. The one
 * settle interface of the project: a transport reports to the router through it, a line
 * batch or a shared file reports to its transport through it.
 */
export interface SettlementListener<T> {
  /** `count` items delivered: `items` are they when the transport named them (out of order). */
  delivered(count: number, items?: readonly T[]): void;
  failed(items: readonly T[], reason: Error): void;
  /**
   * `count` unsettled items were parked on disk (still pending), or came back from it to
   * be settled: a wrapping transport counts them as its own parked ones. `items` are those
   * parked when the transport named them (it parks out of order).
   */
  parked?(count: number, items?: readonly T[]): void;
  unparked?(count: number): void;
}

/** A reason for records dropped for a bound (a full queue or spool), not refused by the destination. */
export function dropReason(message: string): Error {
  return Object.assign(new Error(message), { dropped: true });
}

/** Was the record dropped for a bound? Such failures count as `dropped` and never open a circuit. */
export function isDrop(reason: Error): boolean {
  return (reason as { dropped?: unknown } | undefined)?.dropped === true;
}

/**
 * A reason for a record a target leaves out on purpose (a validating target's `skip`, `log`
 * and `dead-letter`): a drop at that target, as a bound's is (in its `dropped`, never retried,
 * no sign of the destination's health). The router no longer counts the target among the
 * record's, and neither reports nor dead-letters it for it: the target has said what it did.
 */
export function skipReason(message: string): Error {
  return Object.assign(new Error(message), { dropped: true, skipped: true });
}

/** Was the record left out on purpose (see skipReason)? Exported from `streamlog/plugin`. */
export function isSkip(reason: Error): boolean {
  return (reason as { skipped?: unknown } | undefined)?.skipped === true;
}

/**
 * A reason for a record refused for what it holds before it reached the destination (it
 * failed a validating target's check): it says nothing of the destination's health, and
 * trying it again gives the same answer.
 */
export function refusalReason(message: string): Error {
  return Object.assign(new Error(message), { refused: true });
}

/** Was the record refused for what it holds (see refusalReason)? Such failures never open a circuit. */
export function isRefusal(reason: Error): boolean {
  return (reason as { refused?: unknown } | undefined)?.refused === true;
}

const PART = Symbol('part');

/**
 * Marks a failure as one part's of a destination with two (a console's stdout, where stderr
 * takes the higher levels): the other part may work, so the target as a whole is not made
 * unhealthy by it (a dead stdout failed the error records bound for a working stderr).
 */
export function markPartFailure(reason: Error): Error {
  // A reason of its own, the given one behind it (message, code, retryAfterMs): a stream
  // keeps failing with one Error, which must not stay marked once the other fails too.
  return Object.defineProperty(Object.create(reason) as Error, PART, { value: true });
}

/** Does the failure say nothing of the destination's health (a drop, a refusal, one part's failure)? */
export function saysNothingOfHealth(reason: Error): boolean {
  return isDrop(reason) || isRefusal(reason) || (reason as { [PART]?: unknown } | undefined)?.[PART] === true;
}

const FINAL = Symbol('final');

/**
 * Marks a failure as final: the transport that reports it has tried as its own policy says
 * (a batch transport's retries, or an answer no retry changes), so a wrapper around it does
 * not try again. A reason that cannot be marked (frozen) is left as it is.
 */
export function markFinal(reason: Error): Error {
  if (Object.isExtensible(reason) && !Object.hasOwn(reason, FINAL)) {
    Object.defineProperty(reason, FINAL, { value: true });
  }
  return reason;
}

/**
 * May a wrapper try the record again? Not after a final failure, a refusal, a drop or a record
 * left out on purpose (exported from `streamlog/plugin` for wrappers of a user's).
 */
export function isFinal(reason: Error): boolean {
  return (reason as { [FINAL]?: unknown } | undefined)?.[FINAL] === true || isRefusal(reason) || isDrop(reason);
}
