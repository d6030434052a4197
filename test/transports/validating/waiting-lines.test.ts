import { describe, expect, it } from 'vitest';
import { createLogger, type ValidatingTransport } from '../../../src/index.js';
import '../../helpers.js';
import type { ControlledTransport } from '../../helpers.js';

// Records that waited in the router's queue as their lines are made again from the line, and
// their fields are read back from it: the object a JSON Schema checks is then that line parsed
// once, not fields parsed and then rebuilt with code made per shape of keys (code made again
// for each record once a logger's children give more shapes than are kept).
describe('a JSON Schema behind a full queue', () => {
  it('checks records made again from their lines as the lines parsed: no code made per record', () => {
    const log = createLogger({
      exitFlush: false,
      transports: [
        {
          type: 'validating',
          schema: { type: 'object', required: ['reqId', 'i'] },
          onInvalid: 'skip',
          target: { type: 'controlled', mode: 'stall' },
          maxQueue: { maxRecords: 10 },
        },
      ],
    });
    const validating = log.transports[0] as ValidatingTransport;
    const inner = validating.inner as ControlledTransport;
    const children = Array.from({ length: 40 }, (_, k) => log.child({ reqId: `r${k}`, [`b${k}`]: k }));
    for (let i = 0; i < 2000; i++) children[i % 40]!.info({ i, [`f${i % 5}`]: true }, 'shipped');
    expect(log.stats().targets[0]!.queueDepth).toBe(2000);

    const RealFunction = globalThis.Function;
    let made = 0;
    globalThis.Function = new Proxy(RealFunction, {
      construct(target, args, newTarget) {
        made++;
        return Reflect.construct(target, args, newTarget) as object;
      },
    });
    try {
      while (inner.held.length > 0) inner.release();
    } finally {
      globalThis.Function = RealFunction;
    }
    expect(inner.received.map((r) => JSON.parse(r.json()).i)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(validating.stats()).toMatchObject({ valid: 2000, invalid: 0 });
    expect(made).toBe(0);
  });
});
