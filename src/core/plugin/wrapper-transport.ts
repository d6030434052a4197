import type { LogRecord } from '../record/log-record.js';
import { Transport, type SettlementListener, type TransportOptions } from './transport.js';

/**
 * Base of transports that hand records on to an inner transport (buffered, validating):
 * owns the inner one (closes it, forwards its diagnostics) and hears its settlements.
 */
export abstract class WrapperTransport extends Transport {
  constructor(
    readonly inner: Transport,
    options: TransportOptions,
  ) {
    super(options);
    if (!inner.id) inner.id = `${inner.type}(inner)`;
    inner.attach(this.innerListener());
    inner.on('diagnostic', (message: string, detail?: unknown) => this.report(`${inner.id}: ${message}`, detail));
    inner.on('error', (error: Error) => this.report(`${inner.id} failed: ${error.message}`, error));
    inner.replayReports();
  }

  /** What to do when the inner transport settles records. */
  protected abstract innerDelivered(count: number): void;
  protected abstract innerFailed(records: readonly LogRecord[], reason: Error): void;

  private innerListener(): SettlementListener {
    return {
      delivered: (_t, count) => this.innerDelivered(count),
      failed: (_t, records, reason) => this.innerFailed(records, reason),
    };
  }

  override flushSync(): void {
    this.inner.flushSync();
  }

  protected override async closeResources(): Promise<void> {
    await this.inner.close();
  }
}
