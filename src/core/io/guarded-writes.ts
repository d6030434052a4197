import type { Writable } from 'node:stream';

/** What a guarded stream's misbehaviour is told to. */
export interface WriteGuard {
  /** A `_write` or `_writev` threw: its chunks count as written for the stream, and fail for us. */
  threw(chunks: readonly unknown[], error: Error): void;
  /** A write's callback came a second time: ignored (told the first time only). */
  calledBackTwice(): void;
}

type Callback = (error?: Error | null) => void;
type WriteFn = (chunk: unknown, encoding: BufferEncoding, callback: Callback) => void;
type WritevFn = (chunks: { chunk: unknown; encoding: BufferEncoding }[], callback: Callback) => void;

/**
 * Guards a Writable handed to us as a transport against its own `_write` and `_writev`. One
 * that throws leaves Node's stream stuck mid-write for good (every later record waits), and
 * a `_writev` that throws from inside an earlier write's callback crashed the process: the
 * throw is caught and the write told done (the guard fails its chunks). Node hands each write
 * one callback, and a stream that calls it twice destroys itself with ERR_MULTIPLE_CALLBACK
 * (or, in object mode, calls back for the next write before it is written): the later calls
 * are ignored.
 */
export function guardWrites(stream: Writable, told: WriteGuard): void {
  let saidTwice = false;
  const guard: WriteGuard = {
    threw: told.threw,
    calledBackTwice: () => {
      if (saidTwice) return;
      saidTwice = true;
      told.calledBackTwice();
    },
  };
  const own = stream as Writable & { _write?: unknown; _writev?: unknown };
  const write = own._write;
  if (typeof write === 'function') {
    own._write = ((chunk, encoding, callback) =>
      guarded([chunk], callback, guard, (once) => (write as WriteFn).call(stream, chunk, encoding, once))) as WriteFn;
  }
  const writev = own._writev;
  if (typeof writev === 'function') {
    own._writev = ((chunks, callback) =>
      guarded(
        chunks.map((c) => c.chunk),
        callback,
        guard,
        (once) => (writev as WritevFn).call(stream, chunks, once),
      )) as WritevFn;
  }
}

function guarded(
  chunks: readonly unknown[],
  callback: Callback,
  guard: WriteGuard,
  call: (once: Callback) => void,
): void {
  let called = false;
  const once = (error?: Error | null): void => {
    if (called) {
      guard.calledBackTwice();
      return;
    }
    called = true;
    callback(error);
  };
  try {
    call(once);
  } catch (error) {
    guard.threw(chunks, error instanceof Error ? error : new Error(String(error)));
    if (called) return;
    called = true;
    callback();
  }
}
