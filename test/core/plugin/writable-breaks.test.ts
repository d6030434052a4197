import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, type DeliveryFailure } from '../../../src/index.js';

/** An objectMode Writable that never calls back, and does `then` to itself a tick after its first write. */
function breaksAfterFirstWrite(then: (stream: Writable) => void): Writable {
  let first = true;
  return new Writable({
    objectMode: true,
    write(_record, _encoding, _callback) {
      if (!first) return;
      first = false;
      setImmediate(() => then(this));
    },
  });
}

const ticks = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('an objectMode Writable that breaks with writes in flight', () => {
  it.each([
    ['emits error without destroying itself', (s: Writable) => s.emit('error', new Error('emitted')), /emitted/],
    ['destroys itself without an error', (s: Writable) => s.destroy(), /closed before the write completed/],
  ] as const)('%s: every record fails, none waits for ever, flush resolves', async (_name, then, reason) => {
    const log = createLogger({ exitFlush: false, transports: [breaksAfterFirstWrite(then)] });
    const failures: DeliveryFailure[] = [];
    log.on('deliveryFailed', (failure) => failures.push(failure));
    log.info('in flight');
    log.info('buffered');
    await ticks(2);
    log.info('after');
    expect(await log.flush({ timeoutMs: 2000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 3, delivered: 0, failed: 3, pending: 0 });
    expect(failures.map((f) => f.record.msg).sort()).toEqual(['after', 'buffered', 'in flight']);
    expect(failures[0]!.reasons[0]!.error.message).toMatch(reason);
    expect(await log.close({ timeoutMs: 2000 })).toBe(true);
  });
});

describe('close({ timeoutMs }) bounds the whole close', () => {
  it('a stream whose end() never finishes is destroyed at the timeout; close resolves false', async () => {
    // Takes and acknowledges every write, but never finishes (its _final never calls back).
    const neverFinishes = new Writable({
      objectMode: true,
      write(_record, _encoding, callback) {
        callback();
      },
      final() {},
    });
    const log = createLogger({ exitFlush: false, transports: [neverFinishes] });
    log.info('delivered');
    const started = Date.now();
    expect(await log.close({ timeoutMs: 200 })).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(neverFinishes.destroyed).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 1, delivered: 1, pending: 0 });
  });
});

describe('an objectMode Writable that calls back with something other than an Error', () => {
  it.each([
    [{ message: 'disk quota' }, 'disk quota'],
    [{ code: 'EDQUOT', path: '/secret' }, 'an object (code "EDQUOT", keys code, path)'],
  ])(
    '%o: its message, or its code and keys (never its other values), is the reason (not "[object Object]")',
    async (given, said) => {
      const stream = new Writable({
        objectMode: true,
        write(_record, _encoding, callback) {
          callback(given as unknown as Error);
        },
      });
      const log = createLogger({ exitFlush: false, diagnostics: false, transports: [stream] });
      const reasons: string[] = [];
      log.on('deliveryFailed', (failure) => reasons.push(failure.reasons[0]!.error.message));
      log.info('one');
      await log.close({ timeoutMs: 2000 });
      expect(reasons).toEqual([said]);
    },
  );
});
