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
