/**
 * How whoever holds items (records, dead-letter entries) hears what became of them. The one
 * settle interface of the project: a transport reports to the router through it, a line
 * batch or a shared file reports to its transport through it.
 */
export interface SettlementListener<T> {
  delivered(count: number): void;
  failed(items: readonly T[], reason: Error): void;
}
