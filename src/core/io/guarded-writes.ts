import type { Writable } from 'node:stream';
import { isThenable } from '../util/thenable.js';
import { describeThrown } from '../util/thrown.js';

/** What a guarded stream's misbehaviour is told to: each transport writing to it. */
export interface WriteGuard {
  /**
   * A `_write` or `_writev` threw before it called back: its chunks count as written for the
   * stream, and fail for whoever wrote them (each guard of a stream is told; it takes its own).
   */
  threw(chunks: readonly unknown[], error: Error): void;
  /** A write threw, or its promise rejected, after it called back: the chunks stay written. */
  threwAfterCallback(error: Error): void;
  /** A write's callback came a second time: ignored (told once per stream). */
  calledBackTwice(): void;
}

type Callback = (error?: Error | null) => void;
type WriteFn = (chunk: unknown, encoding: BufferEncoding, callback: Callback) => unknown;
type WritevFn = (chunks: { chunk: unknown; encoding: BufferEncoding }[], callback: Callback) => unknown;

/** The guards of each stream wrapped: a stream handed to two loggers is wrapped once. */
const guardsOf = new WeakMap<Writable, Set<WriteGuard>>();

/**
 * Guards a Writable handed to us as a transport against its own `_write` and `_writev`, as
 * they are when the transport is made (one assigned later is the stream's own). One that
 * throws leaves Node's stream stuck mid-write for good (every later record waits), and a
 * `_writev` that throws from inside an earlier write's callback crashed the process: the
 * throw is caught and the write told done (the guards fail its chunks). Node hands each write
 * one callback, and a stream that calls it twice destroys itself with ERR_MULTIPLE_CALLBACK
 * (or, in object mode, calls back for the next write before it is written): the later calls
 * are ignored. A throw after the callback came (the stream took the chunk) fails nothing, and
 * is told. An `async _write` returns a promise Node's stream ignores: its rejection is taken
 * as its throw (it ended the process as an unhandled rejection, the write never done).
 * Returns what takes the guard off again (its transport closed: the stream may outlive it).
 */
export function guardWrites(stream: Writable, guard: WriteGuard): () => void {
  const stop = (): void => {
    guardsOf.get(stream)?.delete(guard);
  };
  const known = guardsOf.get(stream);
  if (known !== undefined) {
    known.add(guard);
    return stop;
  }
  const guards = new Set([guard]);
  guardsOf.set(stream, guards);
  let saidTwice = false;
  const told: WriteGuard = {
    threw: (chunks, error) => {
      for (const each of guards) each.threw(chunks, error);
    },
    threwAfterCallback: (error) => {
      for (const each of guards) each.threwAfterCallback(error);
    },
    calledBackTwice: () => {
      if (saidTwice) return;
      saidTwice = true;
      for (const each of guards) each.calledBackTwice();
    },
  };
  const own = stream as Writable & { _write?: unknown; _writev?: unknown };
  const write = own._write;
  if (typeof write === 'function') {
    own._write = ((chunk, encoding, callback) =>
      guarded([chunk], callback, told, (once) => (write as WriteFn).call(stream, chunk, encoding, once))) as WriteFn;
  }
  const writev = own._writev;
  if (typeof writev === 'function') {
    own._writev = ((chunks, callback) =>
      guarded(
        chunks.map((c) => c.chunk),
        callback,
        told,
        (once) => (writev as WritevFn).call(stream, chunks, once),
      )) as WritevFn;
  }
  return stop;
}

function guarded(
  chunks: readonly unknown[],
  callback: Callback,
  guard: WriteGuard,
  call: (once: Callback) => unknown,
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
  const thrown = (error: unknown): void => {
    // Never throws itself: as a rejection's handler, a throw here (String() of an object with no
    // prototype, instanceof on a revoked Proxy) was an unhandled rejection that ended the process.
    let reason: Error;
    try {
      reason = error instanceof Error ? error : new Error(describeThrown(error));
    } catch {
      reason = new Error(describeThrown(error));
    }
    if (called) {
      guard.threwAfterCallback(reason);
      return;
    }
    guard.threw(chunks, reason);
    called = true;
    callback();
  };
  let result: unknown;
  try {
    result = call(once);
  } catch (error) {
    thrown(error);
    return;
  }
  if (isThenable(result)) {
    try {
      result.then(undefined, thrown);
    } catch (error) {
      // a thenable whose then() throws: nothing will settle it, as for a throw
      thrown(error);
    }
  }
}
