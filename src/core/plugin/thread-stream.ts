import type { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import { onStreamClose, onStreamError } from '../io/shared-listeners.js';
import type { LogRecord } from '../record/log-record.js';
import { toError, type TransportOptions } from './transport.js';
import { WriteOnlyTransport } from './write-only.js';

/** What is used of pino.transport()'s ThreadStream. */
export interface ThreadStreamLike extends EventEmitter {
  write(data: string): boolean;
  flushSync(): void;
  flush(callback: (error?: Error | null) => void): void;
  readonly ready: boolean;
  readonly destroyed: boolean;
  readonly writableEnded: boolean;
}

/**
 * A ThreadStream (what pino.transport() returns): a write() that takes no callback, a
 * flushSync(), the worker it runs its targets in, and no Writable inside.
 */
export function isThreadStream(value: unknown): value is ThreadStreamLike {
  const candidate = value as Partial<Record<string, unknown>> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.write === 'function' &&
    typeof candidate.on === 'function' &&
    typeof candidate.flushSync === 'function' &&
    typeof candidate.flush === 'function' &&
    typeof (candidate.worker as { postMessage?: unknown } | undefined)?.postMessage === 'function' &&
    !('_writableState' in candidate)
  );
}

/**
 * pino.transport() as a transport. Taken as a Writable, its write() never called back: after
 * the first writes every record waited, unwritten, and failed at the exit. A record counts as
 * delivered once the stream has taken its line, as pino counts it; what the stream holds when
 * the process ends is written by flushSync(), as pino's own exit handler does. After its
 * 'error' or its worker's end, every record fails. A close waits for the worker to write what
 * it took and leaves the stream open (pino's exit handler ends it, and a pino logger may
 * still write to it).
 */
export class ThreadStreamTransport extends WriteOnlyTransport<ThreadStreamLike> {
  override readonly type: string = 'thread-stream';
  private broken: Error | undefined;

  constructor(destination: ThreadStreamLike, options: TransportOptions = {}) {
    super(destination, options);
    // One listener per stream and event, however many loggers write to it (see shared-listeners).
    const stream = destination as unknown as Writable;
    const stopError = onStreamError(stream, this.onError);
    const stopClose = onStreamClose(stream, this.onClose);
    this.stopListening = () => {
      stopError();
      stopClose();
    };
  }

  private readonly stopListening: () => void;

  protected override handle(record: LogRecord): void {
    const destination = this.destination;
    if (this.broken === undefined && (destination.destroyed || destination.writableEnded)) {
      this.broken = new Error('pino.transport() stream was ended (or its worker exited)');
    }
    if (this.broken !== undefined) this.settleFailed([record], this.broken);
    else super.handle(record);
  }

  override flushSync(): void {
    const destination = this.destination;
    // Not ready, its worker may never read: pino's own exit handler waits for it. Ended or
    // gone, there is nothing to write.
    if (!destination.ready || destination.destroyed || destination.writableEnded || this.broken !== undefined) return;
    try {
      destination.flushSync();
    } catch (error) {
      this.report(`pino.transport() could not write its buffer: ${toError(error).message}`, error);
    }
  }

  /** Resolves once the worker has written what the stream took (flushSync() waits only for it to read). */
  protected override async closeResources(): Promise<void> {
    const destination = this.destination;
    if (!destination.destroyed && !destination.writableEnded && this.broken === undefined) {
      // A worker that exits calls back with an error: its records were counted when taken.
      await new Promise<void>((resolve) => destination.flush(() => resolve()));
    }
    this.stopListening();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.stopListening();
    callback(error);
  }

  /** The logger this was made for was never built: the stream is handed back as it was. */
  letGo(): void {
    this.stopListening();
  }

  private readonly onError = (error: Error): void => {
    if (this.broken !== undefined) return;
    this.broken = error;
    this.report(`pino.transport() failed: ${error.message}`, error);
  };

  private readonly onClose = (): void => {
    this.broken ??= new Error('pino.transport() stream closed (its worker exited)');
  };
}
