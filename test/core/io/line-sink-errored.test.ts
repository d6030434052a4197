import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/index.js';

/*
 * A byte stream that failed but was not destroyed (autoDestroy off, so a write that calls
 * back an error leaves it errored) never emits 'finish' for end(), nor 'close': close() waited
 * for them for ever, with nothing holding the process, so the code after it never ran.
 */
function failingStream(): Writable {
  let writes = 0;
  return new Writable({
    autoDestroy: false,
    write(_chunk, _encoding, callback) {
      writes++;
      callback(writes >= 2 ? new Error('disk gone') : null);
    },
  });
}

const within = <T>(promise: Promise<T>, ms: number): Promise<T | 'still waiting'> =>
  Promise.race([promise, new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), ms))]);

describe('close() of a byte stream left errored', () => {
  it('resolves, the stream released, every record counted', async () => {
    const stream = failingStream();
    const log = createLogger({ exitFlush: false, diagnostics: () => {}, transports: [stream] });
    log.info('one');
    await new Promise((resolve) => setTimeout(resolve, 5));
    log.info('two');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await within(log.close(), 2000)).toBe(true);
    expect(stream.destroyed).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 2, delivered: 1, failed: 1, pending: 0 });
  });

  it('shared by two loggers: both closes resolve', async () => {
    const stream = failingStream();
    const a = createLogger({ exitFlush: false, diagnostics: () => {}, transports: [stream] });
    const b = createLogger({ exitFlush: false, diagnostics: () => {}, transports: [stream] });
    a.info('one');
    await new Promise((resolve) => setTimeout(resolve, 5));
    b.info('two');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await within(Promise.all([a.close(), b.close()]), 2000)).toEqual([true, true]);
    expect(stream.destroyed).toBe(true);
  });
});
