import type { EventEmitter } from 'node:events';
import type { LogRecord } from '../record/log-record.js';
import { toError, Transport, type TransportOptions } from './transport.js';

/** What is used of pino.destination()'s SonicBoom. */
export interface SonicBoomLike extends EventEmitter {
  write(data: string): boolean;
  flushSync(): void;
  reopen(file?: string | number): void;
}

/** SonicBoom's descriptor (not in its typings): −1 while an asynchronous open is under way. */
function fdOf(destination: SonicBoomLike): number {
  const fd = (destination as { fd?: unknown }).fd;
  return typeof fd === 'number' ? fd : -1;
}

function destroyedOf(destination: SonicBoomLike): boolean {
  return (destination as { destroyed?: unknown }).destroyed === true;
}

/**
 * A SonicBoom (what pino.destination() returns): a write() that takes no callback, a
 * flushSync() and a reopen(), and no Writable inside.
 */
export function isSonicBoom(value: unknown): value is SonicBoomLike {
  const candidate = value as Partial<Record<string, unknown>> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.write === 'function' &&
    typeof candidate.on === 'function' &&
    typeof candidate.flushSync === 'function' &&
    typeof candidate.reopen === 'function' &&
    !('_writableState' in candidate)
  );
}

/** What a transport on a destination hears of it. */
interface Hearing {
  error(error: Error): void;
  drop(): void;
  ready(): void;
}

/** The transports on each destination, and the function that takes the shared listeners off. */
const hearingOf = new WeakMap<SonicBoomLike, { all: Set<Hearing>; off: () => void }>();

/**
 * Hears a destination's events through one listener per event, however many loggers share
 * it: one listener per transport and event passed Node's ten-listener warning three times
 * over at ten loggers on one pino.destination(). The listeners go with the last transport,
 * so the destination is handed back as it was. Returns the function that stops hearing.
 */
function hear(destination: SonicBoomLike, hearing: Hearing): () => void {
  let shared = hearingOf.get(destination);
  if (shared === undefined) {
    const all = new Set<Hearing>();
    const error = (reason: Error): void => {
      for (const one of [...all]) one.error(reason);
    };
    const drop = (): void => {
      for (const one of [...all]) one.drop();
    };
    const ready = (): void => {
      for (const one of [...all]) one.ready();
    };
    destination.on('error', error);
    destination.on('drop', drop);
    destination.on('ready', ready);
    const off = (): void => {
      destination.off('error', error);
      destination.off('drop', drop);
      destination.off('ready', ready);
    };
    shared = { all, off };
    hearingOf.set(destination, shared);
  }
  const { all, off } = shared;
  all.add(hearing);
  return () => {
    if (!all.delete(hearing) || all.size > 0) return;
    off();
    if (hearingOf.get(destination)?.all === all) hearingOf.delete(destination);
  };
}

/**
 * pino.destination() as a transport. SonicBoom is no Writable: its write() calls nothing
 * back, and it writes from a buffer of its own (at once with `sync: true`). Taken as one, not
 * a record settled: every one failed after `exitTimeoutMs`, though its line was written. A
 * record counts as delivered once SonicBoom has taken its line and has its file open, as pino
 * counts it; what its buffer holds when the process ends is written by flushSync(), as pino
 * does. A line its `maxLength` makes it drop fails, and after its 'error' (a file it cannot
 * open) so does every record. A close writes its buffer and leaves it open.
 */
export class SonicBoomTransport extends Transport {
  readonly type: string = 'sonic-boom';
  private broken: Error | undefined;
  /** Set by SonicBoom's 'drop', which it emits inside the write() that drops. */
  private dropped = false;
  /**
   * Records taken while SonicBoom still opens its file (`sync: false`): it can write none of
   * them before it is ready, so they settle then, and fail if the process ends first.
   */
  private opening: LogRecord[] | undefined;

  constructor(
    readonly destination: SonicBoomLike,
    options: TransportOptions = {},
  ) {
    super(options);
    this.stopListening = hear(destination, { error: this.onError, drop: this.onDrop, ready: this.onReady });
    if (fdOf(destination) < 0 && !destroyedOf(destination)) this.opening = [];
  }

  /** Stops hearing the destination (see hear). */
  private readonly stopListening: () => void;

  protected handle(record: LogRecord): void {
    if (this.broken !== undefined) {
      this.settleFailed([record], this.broken);
      return;
    }
    const line = this.formatLine(record);
    this.dropped = false;
    try {
      this.destination.write(line);
    } catch (error) {
      this.settleFailed([record], toError(error));
      return;
    }
    if (this.dropped) this.settleFailed([record], new Error('pino.destination() dropped the line (maxLength)'));
    // With `sync: true` a write that fails (ENOSPC) emits 'error' inside write(): this line was not written.
    else if (this.broken !== undefined) this.settleFailed([record], this.broken);
    else if (this.opening !== undefined) this.opening.push(record);
    else this.settleDelivered(1);
  }

  /** The process is ending: what SonicBoom took before its file was open will never be written. */
  override giveUpSync(reason: Error): void {
    const opening = this.opening;
    if (opening === undefined || opening.length === 0) return;
    this.opening = [];
    this.settleFailed(opening, reason);
  }

  override flushSync(): void {
    // Not open yet (an asynchronous open under way), SonicBoom cannot write: said, not thrown.
    // After its 'error' (ENOSPC on a full disk) its flushSync() retries the failing write
    // every 100 ms for ever: the process would hang in close() or at its exit.
    if (destroyedOf(this.destination) || fdOf(this.destination) < 0 || this.broken !== undefined) return;
    try {
      this.destination.flushSync();
    } catch (error) {
      this.report(`pino.destination() could not write its buffer: ${toError(error).message}`, error);
    }
  }

  /**
   * Its buffer written, the destination is left open: pino's own exit handler ends it, and a
   * pino logger may write to it still (ended, its next write threw "SonicBoom destroyed" into
   * the application). One that cannot open its file waited for ever in end().
   */
  protected override async closeResources(): Promise<void> {
    this.flushSync();
    this.stopListening();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.stopListening();
    callback(error);
  }

  /** The logger this was made for was never built: the destination is handed back as it was. */
  letGo(): void {
    this.stopListening();
  }

  private readonly onReady = (): void => {
    // Heard by every transport on the destination, and again after a reopen(): only the first one counts.
    if (this.opening === undefined) return;
    const opening = this.opening;
    this.opening = undefined;
    if (opening.length > 0) this.settleDelivered(opening);
  };

  private readonly onError = (error: Error): void => {
    // SonicBoom tells a file it cannot open twice: said once.
    if (this.broken !== undefined) return;
    this.broken = error;
    // A file it could not open: what it took waiting for it is lost with it.
    const opening = this.opening ?? [];
    this.opening = undefined;
    if (opening.length > 0) this.settleFailed(opening, error);
    this.report(`pino.destination() failed: ${error.message}`, error);
  };

  private readonly onDrop = (): void => {
    this.dropped = true;
  };
}
