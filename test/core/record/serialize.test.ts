import { describe, expect, it } from 'vitest';
import { errorObject, fieldsJson, safeJson, valueJson } from '../../../src/core/record/serialize.js';
import { memoryLogger } from '../../helpers.js';

function logged(fields: object): Record<string, unknown> {
  const { log, memory } = memoryLogger({ base: null, timestamp: false });
  log.info(fields, 'm');
  const [line] = memory.lines();
  expect(line!.endsWith('}\n')).toBe(true);
  expect(line!.slice(0, -1)).not.toContain('\n');
  return JSON.parse(line!) as Record<string, unknown>;
}

describe('hard-to-serialise values', () => {
  it('marks circular references', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    a.list = [a, { back: a }];
    expect(logged({ a })).toMatchObject({
      a: { name: 'a', self: '[Circular]', list: ['[Circular]', { back: '[Circular]' }] },
    });
  });

  it('keeps repeated (non-circular) references', () => {
    const shared = { v: 1 };
    expect(logged({ x: shared, y: [shared, shared], z: 10n })).toMatchObject({ x: { v: 1 }, y: [{ v: 1 }, { v: 1 }] });
  });

  it('writes BigInt as a decimal string, top level and nested', () => {
    expect(logged({ big: 12345678901234567890n, nested: { n: -5n } })).toMatchObject({
      big: '12345678901234567890',
      nested: { n: '-5' },
    });
  });

  it('describes Buffers instead of dumping byte arrays', () => {
    const record = logged({ buf: Buffer.from('hello'), huge: Buffer.alloc(5000, 1) });
    expect(record.buf).toEqual({ type: 'Buffer', length: 5, base64: 'aGVsbG8=' });
    expect(record.huge).toMatchObject({ type: 'Buffer', length: 5000, truncated: true });
  });

  it('turns Maps into objects and Sets into arrays', () => {
    const record = logged({
      map: new Map<unknown, unknown>([
        ['a', 1],
        [2, { b: new Set([1, 2]) }],
      ]),
      set: new Set(['x', 'y']),
    });
    expect(record).toMatchObject({ map: { a: 1, '2': { b: [1, 2] } }, set: ['x', 'y'] });
  });

  it('reports getters that throw without losing the other fields', () => {
    const tricky = {
      ok: 1,
      get broken(): never {
        throw new Error('getter exploded');
      },
    };
    expect(logged({ tricky })).toMatchObject({ tricky: { ok: 1, broken: '[getter threw: getter exploded]' } });
  });

  it('reports a toJSON that throws', () => {
    const value = {
      toJSON(): never {
        throw new Error('toJSON exploded');
      },
    };
    expect(logged({ value, fine: true })).toMatchObject({ value: '[toJSON threw: toJSON exploded]', fine: true });
  });

  it('cuts very deep objects at the depth limit', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 20_000; i++) deep = { d: deep };
    const record = logged({ deep });
    let cursor = record.deep as Record<string, unknown> | string;
    let depth = 0;
    while (typeof cursor === 'object') {
      cursor = cursor.d as Record<string, unknown> | string;
      depth++;
    }
    expect(cursor).toBe('[Object]');
    expect(depth).toBeLessThanOrEqual(17);
  });

  it('escapes invalid UTF-16 so the line is valid JSON', () => {
    const record = logged({ lone: 'a\ud800b', low: '\udc00', pair: '😀' });
    expect(record).toEqual({ level: 30, lone: 'a\ud800b', low: '\udc00', pair: '😀', msg: 'm' });
  });

  it('survives a Proxy that throws on every trap', () => {
    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('ownKeys trap');
        },
        getPrototypeOf() {
          throw new Error('proto trap');
        },
      },
    );
    const record = logged({ proxy, after: 1 });
    expect(record.after).toBe(1);
    expect(String(record.proxy)).toMatch(/threw/);
  });

  it('logs enormous strings whole and valid', () => {
    const big = 'x'.repeat(5_000_000) + '\u0000"\\';
    expect((logged({ big }).big as string).length).toBe(big.length);
  });

  it('renders Dates as ISO and invalid dates as such', () => {
    expect(logged({ at: new Date(0), bad: new Date(NaN) })).toMatchObject({
      at: '1970-01-01T00:00:00.000Z',
      bad: 'Invalid Date',
    });
    expect(safeJson({ bad: new Date(NaN), n: 1n })).toBe('{"bad":"Invalid Date","n":"1"}');
  });

  it('drops undefined, functions and symbols like JSON does', () => {
    expect(fieldsJson({ a: undefined, f: () => 1, s: Symbol('s'), k: 1 })).toBe(',"k":1');
    expect(valueJson(Number.NaN)).toBe('null');
    expect(valueJson(undefined)).toBeUndefined();
  });
});

describe('errors', () => {
  it('serialises nested causes and AggregateError members', () => {
    const root = new TypeError('root cause');
    const mid = new Error('middle', { cause: root });
    const agg = new AggregateError([new Error('one'), mid], 'many failed');
    const out = errorObject(agg);
    expect(out).toMatchObject({
      type: 'AggregateError',
      message: 'many failed',
      errors: [
        { type: 'Error', message: 'one' },
        { type: 'Error', message: 'middle', cause: { type: 'TypeError', message: 'root cause' } },
      ],
    });
  });

  it('copies own enumerable properties and code', () => {
    const error = Object.assign(new Error('db'), { code: 'ECONNRESET', query: 'select 1', inner: new Error('deeper') });
    expect(errorObject(error)).toMatchObject({ code: 'ECONNRESET', query: 'select 1', inner: { message: 'deeper' } });
  });

  it('marks cause cycles', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(errorObject(a)).toMatchObject({ cause: { message: 'b', cause: '[Circular]' } });
  });

  it('uses the subclass name as type and keeps non-Error causes', () => {
    class DbError extends Error {}
    expect(errorObject(new DbError('x', { cause: { reason: 'timeout' } }))).toMatchObject({
      type: 'DbError',
      cause: { reason: 'timeout' },
    });
  });

  it('serialises errors nested below the top level in the safe walker', () => {
    expect(JSON.parse(safeJson({ wrap: { err: new Error('deep') }, n: 1n }))).toMatchObject({
      wrap: { err: { type: 'Error', message: 'deep' } },
    });
  });
});
