import type { Writable } from 'node:stream';

type ErrorHandler = (error: Error) => void;

/** The handlers of each stream, behind the one `error` listener we add to it. */
const handlersOf = new WeakMap<Writable, Set<ErrorHandler>>();

/**
 * Hears a stream's `error` through one listener per stream, however many sinks write to it
 * (twenty loggers on process.stdout must not pass Node's ten-listener warning). The listener
 * stays after the last handler leaves, so a late error (EPIPE after close) never crashes.
 * Returns the function that removes `handler`.
 */
export function onStreamError(stream: Writable, handler: ErrorHandler): () => void {
  let handlers = handlersOf.get(stream);
  if (handlers === undefined) {
    const set = new Set<ErrorHandler>();
    handlers = set;
    handlersOf.set(stream, set);
    stream.on('error', (error: Error) => {
      for (const one of [...set]) one(error);
    });
  }
  handlers.add(handler);
  const set = handlers;
  return () => {
    set.delete(handler);
  };
}
