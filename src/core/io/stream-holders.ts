/**
 * Transports that end the stream they were handed at their close, counted per stream: one
 * stream handed to two loggers (pino's `pino(dest)` twice over one destination) was ended by
 * the first close, and the other logger's records failed from then on. The last holder's
 * close ends it.
 */
const holders = new WeakMap<object, number>();

/**
 * Holds `stream`. The function returned lets go (the first call) and says whether this was
 * the last hold, so the stream is the caller's to end; a later call says the same again.
 */
export function holdStream(stream: object): () => boolean {
  holders.set(stream, (holders.get(stream) ?? 0) + 1);
  let last: boolean | undefined;
  return () => {
    if (last !== undefined) return last;
    const left = (holders.get(stream) ?? 1) - 1;
    if (left > 0) holders.set(stream, left);
    else holders.delete(stream);
    last = left === 0;
    return last;
  };
}
