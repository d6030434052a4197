import { describe, expect, it } from 'vitest';
import { createLogger, MemoryTransport } from '../../../src/index.js';

function logged(serializers: Record<string, (value: unknown) => unknown>): Record<string, unknown> {
  const memory = new MemoryTransport();
  const log = createLogger({ exitFlush: false, base: null, serializers, transports: [memory] });
  log.info({ v: 1, orderId: 'o-7', amount: 100 }, 'charged');
  return memory.objects()[0] as Record<string, unknown>;
}

describe('a serializer that throws is marked in place; the call keeps its other fields', () => {
  it('whatever it throws: a value whose message getter and toString both throw', () => {
    const hostile = {
      get message(): string {
        throw new Error('m');
      },
      toString(): string {
        throw new Error('t');
      },
    };
    const record = logged({
      v: () => {
        throw hostile;
      },
    });
    expect(record).not.toHaveProperty('logError');
    expect(record).toMatchObject({ orderId: 'o-7', amount: 100, msg: 'charged' });
    expect(record.v).toBe('[serializer v threw: an object (keys message, toString)]');
  });

  it('an Error whose message getter throws', () => {
    const error = new Error('x');
    Object.defineProperty(error, 'message', {
      get() {
        throw new Error('m');
      },
    });
    const record = logged({
      v: () => {
        throw error;
      },
    });
    expect(record).toMatchObject({ orderId: 'o-7', amount: 100, msg: 'charged' });
    expect(record.v).toMatch(/^\[serializer v threw: /);
  });

  it('an Error, a Symbol and a string are said as before', () => {
    const cases: [unknown, string][] = [
      [new Error('bad input'), 'bad input'],
      [Symbol('s'), 'Symbol(s)'],
      ['plain text', 'plain text'],
    ];
    for (const [thrown, said] of cases) {
      const record = logged({
        v: () => {
          throw thrown;
        },
      });
      expect(record).toMatchObject({ v: `[serializer v threw: ${said}]`, orderId: 'o-7', amount: 100 });
    }
  });
});
