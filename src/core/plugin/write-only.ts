import type { LogRecord } from '../record/log-record.js';
import { isThenable } from '../util/thenable.js';
import { toError, Transport, type TransportOptions } from './transport.js';

/** An object with a write(line) and nothing else of a stream's: pino takes one as its destination. */
export interface WriteOnlyDestination {
  write(line: string): unknown;
}

/**
 * A destination that takes lines and calls nothing back (a hand-made sink, and pino's own
 * streams): a record is delivered once its line's write() returns, failed if it throws (an
 * async write(): once its promise resolves, failed if it rejects). What
 * it holds at the process's end is its own to write.
 */
export class WriteOnlyTransport<D extends WriteOnlyDestination = WriteOnlyDestination> extends Transport {
  readonly type: string = 'write';

  constructor(
    readonly destination: D,
    options: TransportOptions = {},
  ) {
    super(options);
  }

  protected handle(record: LogRecord): void {
    let done: unknown;
    try {
      done = this.destination.write(this.formatLine(record));
    } catch (error) {
      this.settleFailed([record], toError(error));
      return;
    }
    // An async write(): the record's fate is its promise's (a rejection was unheard, and ended
    // the process, the record counted delivered). The first outcome only: a thenable may call
    // both, and a give-up may have failed it first.
    if (isThenable(done)) {
      this.#writing.add(record);
      done.then(
        () => {
          if (this.#writing.delete(record)) this.settleDelivered([record]);
        },
        (error: unknown) => {
          if (this.#writing.delete(record)) this.settleFailed([record], toError(error));
        },
      );
      return;
    }
    this.settleDelivered(1);
  }

  /** Records whose async write() has not settled: they fail when nothing more will be waited for. */
  readonly #writing = new Set<LogRecord>();

  override giveUpSync(reason: Error): void {
    if (this.#writing.size === 0) return;
    const unsettled = [...this.#writing];
    this.#writing.clear();
    this.settleFailed(unsettled, reason);
  }

  /** A promise that never settles would hold a close for ever: given the logger's exitTimeoutMs. */
  override get waitsWithoutDeadline(): boolean {
    return this.#writing.size > 0 || super.waitsWithoutDeadline;
  }

  protected override get settlesAllAtExit(): boolean {
    return true;
  }
}
