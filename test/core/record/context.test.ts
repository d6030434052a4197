import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { getContext, withContext } from '../../../src/index.js';
import { memoryLogger } from '../../helpers.js';

describe('withContext', () => {
  it('adds fields to every record inside fn, across awaits and timers', async () => {
    const { log, memory } = memoryLogger();
    await withContext({ reqId: 'r1' }, async () => {
      log.info('start');
      await sleep(5);
      log.info('after await');
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          log.info('in timer');
          resolve();
        }, 1),
      );
    });
    log.info('outside');
    const objects = memory.objects();
    expect(objects.slice(0, 3).every((o) => o.reqId === 'r1')).toBe(true);
    expect(objects[3]).not.toHaveProperty('reqId');
  });

  it('fields that cannot be read (a throwing getter, a Proxy) still run fn; its records say what was wrong', () => {
    const { log, memory } = memoryLogger();
    const getter = {
      get traceId(): never {
        throw new Error('getter exploded');
      },
    };
    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('ownKeys exploded');
        },
      },
    );
    const results = withContext({ reqId: 'r1' }, () => [
      withContext(getter, () => {
        log.info('in getter context');
        return 'ran';
      }),
      withContext(proxy, () => {
        log.info('in proxy context');
        return 'ran too';
      }),
    ]);
    expect(results).toEqual(['ran', 'ran too']);
    expect(memory.objects()).toMatchObject([
      // The getter is read by the record's serialiser, as a binding's or a call field's is.
      { reqId: 'r1', traceId: '[getter threw: getter exploded]', msg: 'in getter context' },
      // Keys that cannot be listed: said, without the message (it may hold what a path hides).
      { reqId: 'r1', contextError: 'context fields could not be listed (Error)', msg: 'in proxy context' },
    ]);
  });

  it('keeps concurrent requests apart', async () => {
    const { log, memory } = memoryLogger();
    await Promise.all(
      ['a', 'b', 'c'].map((id, i) =>
        withContext({ reqId: id }, async () => {
          await sleep(10 - i * 3);
          log.info(id);
        }),
      ),
    );
    for (const record of memory.objects()) expect(record.reqId).toBe(record.msg);
  });

  it('nests, inner fields winning, and is readable', () => {
    const { log, memory } = memoryLogger();
    withContext({ a: 1, b: 1 }, () =>
      withContext({ b: 2 }, () => {
        expect(getContext()).toEqual({ a: 1, b: 2 });
        log.child({ c: 3 }).info({ d: 4 }, 'nested');
      }),
    );
    expect(memory.objects()[0]).toMatchObject({ a: 1, b: 2, c: 3, d: 4 });
  });

  it('returns what fn returns', () => {
    expect(withContext({}, () => 42)).toBe(42);
  });
});
