import { describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../../src/index.js';
import { Collector } from '../helpers.js';
import { sideBySide } from './side-by-side.js';

// pino's serializers.msg: the serializer named by the message key sees each record's message
// (formatted, prefixed) as pino's does, compared with pino's lines in the same test.

describe("pino's serializers.msg", () => {
  it("serialises the message as pino: formatted, prefixed, an object's own msg, a child's serializer", async () => {
    const { calls, lines } = sideBySide({
      serializers: { msg: (msg: string) => msg.toUpperCase() },
      msgPrefix: 'p: ',
    });
    for (const log of calls) {
      log.info!('hello %s', 'there');
      log.info!({ msg: 'own message' });
      log.info!({ a: 1 });
      (log as unknown as Logger).child({ c: 1 }).warn('from a child');
      (log as unknown as Logger).child({}, { serializers: { msg: (m: string) => `[${m}]` } }).info('child serializer');
      log.error!(new Error('boom'));
    }
    const [mine, pinos] = await lines();
    expect(mine.map((line) => line.msg)).toEqual(pinos.map((line) => line.msg));
    expect(mine.map((line) => line.msg)).toEqual([
      'P: HELLO THERE',
      'OWN MESSAGE',
      undefined,
      'P: FROM A CHILD',
      '[p: child serializer]',
      'BOOM',
    ]);
    // The error's line differs only as the error field does (see pino-error-fields); the rest are pino's.
    expect(mine.slice(0, 5)).toEqual(pinos.slice(0, 5));
  });

  it('a serializer that throws or gives no text loses no record: a marker, no message, or its JSON', async () => {
    const out = new Collector();
    const given: unknown[] = [new Error('nope'), undefined, { a: 1 }, 7];
    let i = 0;
    const log = createLogger({
      exitFlush: false,
      base: null,
      timestamp: false,
      serializers: {
        msg: () => {
          const result = given[i++];
          if (result instanceof Error) throw result;
          return result;
        },
      },
      transports: [out],
    });
    for (let k = 0; k < given.length; k++) log.info({ k }, 'message');
    await log.flush();
    expect(out.json()).toEqual([
      { level: 30, k: 0, msg: '[serializer msg threw: Error: nope]' },
      { level: 30, k: 1 },
      { level: 30, k: 2, msg: '{"a":1}' },
      { level: 30, k: 3, msg: '7' },
    ]);
    await log.close();
  });

  it('an object with a cycle, a BigInt or a throwing getter inside gives its JSON text, marked there', async () => {
    const out = new Collector();
    const cyclic: Record<string, unknown> = { text: 'loop' };
    cyclic.self = cyclic;
    const getter = Object.defineProperty({ ok: 1 }, 'bad', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    const given: unknown[] = [cyclic, { n: 10n }, getter];
    let i = 0;
    const log = createLogger({
      exitFlush: false,
      base: null,
      timestamp: false,
      serializers: { msg: () => given[i++] },
      transports: [out],
    });
    for (let k = 0; k < given.length; k++) log.info({ k }, 'message');
    await log.flush();
    const msgs = out.json().map((line) => JSON.parse(line.msg as string) as Record<string, unknown>);
    expect(msgs[0]).toEqual({ text: 'loop', self: '[Circular]' });
    expect(msgs[1]).toEqual({ n: '10' }); // as a BigInt field is written
    expect(msgs[2]!.ok).toBe(1);
    expect(typeof msgs[2]!.bad).toBe('string');
    await log.close();
  });
});
