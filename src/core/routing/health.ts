/** When a target's circuit opens and when it is probed again. */
export interface HealthOptions {
  /** Consecutive failures after which the target is skipped (circuit open). */
  failureThreshold: number;
  /** Time after which an open circuit lets one probe record through. */
  cooldownMs: number;
  clock: () => number;
}

/**
 * A circuit breaker for one target: closed while it delivers, open after
 * `failureThreshold` consecutive failures, half-open (one probe) after the cooldown.
 * Its methods say when the state changed, so the router can announce it.
 */
export class Health {
  private open = false;
  private consecutiveFailures = 0;
  private openedAt = 0;
  private probing = false;
  /** The cooldown of the current opening: the failure's own `retryAfterMs` when it gave one. */
  private cooldownMs: number;
  lastError: Error | undefined;

  constructor(private readonly options: HealthOptions) {
    this.cooldownMs = options.cooldownMs;
  }

  get healthy(): boolean {
    return !this.open;
  }

  get failures(): number {
    return this.consecutiveFailures;
  }

  /** May a record go to the target now? An open circuit admits one probe per cooldown (by the clock). */
  admits(): boolean {
    if (!this.open) return true;
    if (this.probing || this.options.clock() - this.openedAt < this.cooldownMs) return false;
    this.probing = true;
    return true;
  }

  /** A delivery: true when it closed an open circuit. */
  succeeded(): boolean {
    this.consecutiveFailures = 0;
    if (!this.open) return false;
    this.open = false;
    this.probing = false;
    return true;
  }

  /** Failed records: true when they opened the circuit. */
  failed(count: number, reason: Error): boolean {
    this.lastError = reason;
    // A destination that knows when to try again (a full disk: soon) says so on its error.
    const hint = (reason as Error & { retryAfterMs?: unknown }).retryAfterMs;
    this.cooldownMs = typeof hint === 'number' ? Math.min(hint, this.options.cooldownMs) : this.options.cooldownMs;
    this.consecutiveFailures += count;
    if (this.open) {
      if (this.probing) {
        this.probing = false;
        this.openedAt = this.options.clock();
      }
      return false;
    }
    // A destination that says retrying cannot help (refused credentials) opens the circuit now.
    const opensNow = (reason as Error & { openCircuit?: unknown }).openCircuit === true;
    if (!opensNow && this.consecutiveFailures < this.options.failureThreshold) return false;
    this.trip();
    return true;
  }

  /** By hand: true when the circuit was open. */
  markHealthy(): boolean {
    return this.succeeded();
  }

  /** By hand: true when the circuit was closed. */
  markUnhealthy(reason: Error): boolean {
    this.lastError = reason;
    const wasClosed = !this.open;
    this.trip();
    return wasClosed;
  }

  private trip(): void {
    this.open = true;
    this.probing = false;
    this.openedAt = this.options.clock();
  }
}
