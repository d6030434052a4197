import type { Writable } from 'node:stream';

type Handler = (error?: Error) => void;
type SharedEvent = 'error' | 'close';

/** The handlers of each stream and event, behind the one listener we add for it. */
const handlersOf = new WeakMap<Writable, Map<SharedEvent, Set<Handler>>>();

/**
 * Hears a stream's `error` or `close` through one listener per stream and event, however many
 * transports write to it (twenty loggers on process.stdout, or on one stream of the caller's,
 * must not pass Node's ten-listener warning). The listener stays after the last handler
 * leaves, so a late error (EPIPE after close) never crashes. Returns the function that
 * removes `handler`.
 */
function onStreamEvent(stream: Writable, event: SharedEvent, handler: Handler): () => void {
  let events = handlersOf.get(stream);
  if (events === undefined) {
    events = new Map();
    handlersOf.set(stream, events);
  }
  let handlers = events.get(event);
  if (handlers === undefined) {
    const set = new Set<Handler>();
    handlers = set;
    events.set(event, set);
    stream.on(event, (error?: Error) => {
      for (const one of [...set]) one(error);
    });
  }
  handlers.add(handler);
  const set = handlers;
  return () => {
    set.delete(handler);
  };
}

export function onStreamError(stream: Writable, handler: (error: Error) => void): () => void {
  return onStreamEvent(stream, 'error', handler as Handler);
}

export function onStreamClose(stream: Writable, handler: () => void): () => void {
  return onStreamEvent(stream, 'close', handler);
}
