import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createLogger, type MemoryTransport } from '../../../src/index.js';
import { hasPlainPrototype } from '../../../src/core/util/plain-prototype.js';

describe('hasPlainPrototype', () => {
  it('takes object literals, parsed objects and null prototypes as plain', () => {
    expect(hasPlainPrototype({ a: 1 })).toBe(true);
    expect(hasPlainPrototype(JSON.parse('{"a":{"b":1}}') as object)).toBe(true);
    expect(hasPlainPrototype(Object.create(null) as object)).toBe(true);
    // An own "constructor" key from data answers a string: the prototype decides.
    expect(hasPlainPrototype(JSON.parse('{"constructor":"x"}') as object)).toBe(true);
    expect(hasPlainPrototype(Object.assign(Object.create(null) as object, { constructor: 'x' }))).toBe(true);
  });

  it('refuses class instances, built-ins and another realm\u2019s objects', () => {
    class Point {
      x = 1;
    }
    expect(hasPlainPrototype(new Point())).toBe(false);
    expect(hasPlainPrototype(new Map())).toBe(false);
    expect(hasPlainPrototype(new Error('e'))).toBe(false);
    expect(hasPlainPrototype(new Date(0))).toBe(false);
    expect(hasPlainPrototype(Buffer.from('x'))).toBe(false);
    expect(hasPlainPrototype(runInNewContext('({ a: 1 })') as object)).toBe(false);
    // An own "constructor" that is not Object does not make an instance plain.
    expect(hasPlainPrototype(Object.assign(new Point(), { constructor: 'Point' }))).toBe(false);
  });

  it('passes a throwing constructor getter on to the caller', () => {
    const hostile = Object.defineProperty({}, 'constructor', {
      get() {
        throw new Error('no');
      },
    });
    expect(() => hasPlainPrototype(hostile)).toThrow('no');
  });
});

describe('an object made by Object.create(defaults), in a line and in its formats', () => {
  it('writes its own keys only, as JSON does, in every format', async () => {
    const defaults = { inherited: 'from defaults', nested: { deep: 1 } };
    const made = Object.create(defaults, { own: { value: 2, enumerable: true } }) as object;
    const log = createLogger({
      exitFlush: false,
      base: null,
      timestamp: false,
      transports: [
        { type: 'memory', format: 'json' },
        { type: 'memory', format: 'text' },
        { type: 'memory', format: 'stable-json' },
      ],
    });
    log.info({ made, wrapped: { made }, list: [made] }, 'm');
    await log.flush();
    const [json, text, stable] = log.transports.map((t) => (t as unknown as MemoryTransport).lines()[0]!);
    expect(JSON.parse(json)).toEqual({
      level: 30,
      msg: 'm',
      made: { own: 2 },
      wrapped: { made: { own: 2 } },
      list: [{ own: 2 }],
    });
    expect(JSON.parse(stable)).toEqual(JSON.parse(json));
    expect(text).toContain('own');
    expect(text).not.toContain('inherited');
    expect(text).not.toContain('deep');
    await log.close();
  });
});
