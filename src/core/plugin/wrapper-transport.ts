import type { LogRecord } from '../record/log-record.js';
import { acceptRecord, assignId, attachListener, replayReports } from './protocol.js';
import { Transport, type TransportOptions } from './transport.js';

/**
 * Base of transports that hand records on to an inner transport (buffered, validating):
 * owns the inner one (closes it, forwards its diagnostics) and hears its settlements.
 */
export abstract class WrapperTransport<Extra extends object = object> extends Transport<Extra> {
  constructor(
    readonly inner: Transport,
    options: TransportOptions,
  ) {
    super(options);
    if (!inner.id) inner[assignId](`${inner.type}(inner)`);
    inner[attachListener]({
      delivered: (count) => this.innerDelivered(count),
      failed: (records, reason) => this.innerFailed(records, reason),
    });
    inner.on('diagnostic', (message: string, detail?: unknown) => this.report(`${inner.id}: ${message}`, detail));
    inner.on('error', (error: Error) => this.report(`${inner.id} failed: ${error.message}`, error));
    inner[replayReports]();
  }

  /** Hands a record on to the inner transport. */
  protected forward(record: LogRecord): void {
    this.inner[acceptRecord](record);
  }

  /** What to do when the inner transport settles records. */
  protected abstract innerDelivered(count: number): void;
  protected abstract innerFailed(records: readonly LogRecord[], reason: Error): void;

  override flushSync(): void {
    this.inner.flushSync();
  }

  /** What the inner transport holds is parked or failed by it, and heard here as it settles. */
  override giveUpSync(reason: Error): void {
    this.inner.giveUpSync(reason);
  }

  protected override async closeResources(): Promise<void> {
    await this.inner.close();
  }
}
