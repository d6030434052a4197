import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SAFE_OPTIONS,
  errorObject,
  fieldsJson,
  safeJson,
  valueJson,
} from '../../../src/core/record/serialize.js';
import { DIST_ESM, requireBuild } from '../../built.js';
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

  it('knows a plain object from its constructor only when that is Object: other answers ask the prototype', () => {
    const parsed = JSON.parse('{"inner":{"constructor":"data","n":1}}') as object;
    const nullProto = Object.assign(Object.create(null) as object, { k: 'v' });
    const throwing = Object.defineProperty({ kept: 1 }, 'constructor', {
      get() {
        throw new Error('constructor read');
      },
    });
    class Point {
      x = 1;
      toJSON() {
        return 'point';
      }
    }
    // A Map, an Error and a Date nested in plain objects answer their own constructor: the
    // careful walker writes them as it does at the top.
    const record = logged({
      parsed,
      nullProto: { nested: nullProto },
      throwing: { nested: throwing },
      point: { nested: new Point() },
      nested: { map: new Map([['a', 1]]), err: new Error('boom'), when: new Date(0) },
    });
    expect(record.parsed).toEqual({ inner: { constructor: 'data', n: 1 } });
    expect(record.nullProto).toEqual({ nested: { k: 'v' } });
    expect(record.throwing).toEqual({ nested: { kept: 1 } });
    expect(record.point).toEqual({ nested: 'point' });
    expect(record.nested).toMatchObject({
      map: { a: 1 },
      err: { type: 'Error', message: 'boom' },
      when: '1970-01-01T00:00:00.000Z',
    });
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

  it('names apart Map keys that read the same as text (1 and "1"): no key is written twice', () => {
    const map = new Map<unknown, unknown>([
      [1, 'number'],
      ['1', 'string'],
      ['1 (2)', 'taken'],
      [undefined, 'undefined'],
      ['undefined', 'text'],
      ['…', 'dots'],
    ]);
    const json = safeJson({ map });
    expect(json.match(/"1":/g)).toHaveLength(1);
    expect(JSON.parse(json)).toEqual({
      map: {
        '1': 'number',
        '1 (2)': 'string',
        '1 (2) (2)': 'taken',
        undefined: 'undefined',
        'undefined (2)': 'text',
        '… (2)': 'dots',
      },
    });
    expect(logged({ map }).map).toEqual(JSON.parse(json).map);
    // Cut at maxItems, the marker keeps its own key.
    const cut = JSON.parse(safeJson(map, { ...DEFAULT_SAFE_OPTIONS, maxItems: 5 })) as Record<string, unknown>;
    expect(Object.keys(cut)).toHaveLength(6);
    expect(cut['…']).toBe('truncated: 5 of 6 entries written');
  });

  it('a Map logged as the call object writes its entries as the fields, redacted and renamed as any', () => {
    const map = new Map<unknown, unknown>([
      ['orderId', 'o-7'],
      [2, { b: 1n }],
      ['level', 10],
      ['token', 's3cret'],
    ]);
    expect(logged(map)).toEqual({
      level: 30,
      orderId: 'o-7',
      '2': { b: '1' },
      '@level': 10,
      token: 's3cret',
      msg: 'm',
    });
    const { log, memory } = memoryLogger({ base: null, timestamp: false, redact: ['token'] });
    log.info(map, 'm');
    log.info(new Map(), 'empty');
    expect(memory.objects()).toEqual([
      { level: 30, orderId: 'o-7', '2': { b: '1' }, '@level': 10, token: '[Redacted]', msg: 'm' },
      { level: 30, msg: 'empty' },
    ]);
  });

  it('ArrayBuffer and SharedArrayBuffer as their type and size, a RegExp as its text (JSON writes {})', () => {
    const re = /a+b/gi;
    const hostile = /x/;
    Object.defineProperty(hostile, 'source', {
      get(): never {
        throw new Error('source exploded');
      },
    });
    expect(
      logged({ ab: new ArrayBuffer(3), sab: new SharedArrayBuffer(2), re, hostile, nested: [{ re }], x: 1n }),
    ).toMatchObject({
      ab: { type: 'ArrayBuffer', length: 3 },
      sab: { type: 'SharedArrayBuffer', length: 2 },
      re: '/a+b/gi',
      hostile: '[RegExp]',
      nested: [{ re: '/a+b/gi' }],
    });
  });

  it('binary values keep their true size whatever their prototype was set to', () => {
    class Unrelated {}
    class Bytes extends Uint8Array {}
    const record = logged({
      bareProto: Object.setPrototypeOf(new Uint8Array([1, 2]), Object.create(null) as object),
      classProto: Object.setPrototypeOf(new Float64Array(3), Unrelated.prototype),
      view: Object.setPrototypeOf(new DataView(new ArrayBuffer(4)), Unrelated.prototype),
      buffer: Object.setPrototypeOf(new ArrayBuffer(5), Unrelated.prototype),
      hidden: Object.defineProperty(new Uint16Array(2), 'byteLength', { value: 'lie' }),
      subclass: new Bytes(6),
    });
    expect(record).toEqual({
      level: 30,
      msg: 'm',
      bareProto: { type: 'Uint8Array', length: 2 },
      classProto: { type: 'Unrelated', length: 24 },
      view: { type: 'Unrelated', length: 4 },
      buffer: { type: 'ArrayBuffer', length: 5 },
      hidden: { type: 'Uint16Array', length: 4 },
      subclass: { type: 'Bytes', length: 6 },
    });
  });

  it('a stream whose class name is not a string, or empty, is named Stream', () => {
    class Numbered extends Readable {
      static override get name(): string {
        return 42 as unknown as string;
      }
    }
    class Unnamed extends Readable {
      static override get name(): string {
        return '';
      }
    }
    expect(logged({ numbered: new Numbered(), unnamed: new Unnamed() })).toEqual({
      level: 30,
      msg: 'm',
      numbered: { type: 'Stream', stream: true },
      unnamed: { type: 'Stream', stream: true },
    });
  });

  it('a boxed primitive with an object literal for prototype, logged as the fields: its keys, no torn line', () => {
    const many = (boxed: object): object =>
      Object.assign(Object.setPrototypeOf(boxed, {}) as object, {
        k1: 1,
        k2: 2,
        k3: 3,
        k4: 4,
        k5: 5,
        k6: 6,
        k7: 7,
        k8: 8,
      });
    expect(logged(many(new Number(3)))).toMatchObject({ k1: 1, k8: 8 });
    expect(logged(many(new Boolean(false)))).toMatchObject({ k1: 1, k8: 8 });
    expect(logged(Object.setPrototypeOf(new String('abcdefghij'), {}) as object)).toMatchObject({ 0: 'a', 9: 'j' });
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

  it('leaves out a value whose toJSON gives nothing JSON holds (undefined, a function), as JSON.stringify does', () => {
    const nothing = { toJSON: () => undefined };
    const fn = { toJSON: () => () => 1 };
    // `logged` parses the line: a key written with the text "undefined" fails it.
    expect(logged({ nothing, fine: true })).toEqual({ level: 30, fine: true, msg: 'm' });
    expect(logged({ fn, nested: { nothing }, fine: true })).toEqual({ level: 30, nested: {}, fine: true, msg: 'm' });
    // Bindings and context go through the same writer.
    const { log, memory } = memoryLogger({ base: null, timestamp: false });
    log.child({ nothing, bound: 1 }).info('c');
    expect(JSON.parse(memory.lines()[0]!)).toEqual({ level: 30, bound: 1, msg: 'c' });
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

  it('a field named like a key the line owns keeps its @ beside a throwing getter or a fickle Proxy', () => {
    const withGetter = {
      level: 60,
      get broken(): never {
        throw new Error('getter exploded');
      },
    };
    const first = logged(withGetter);
    expect(first.level).toBe(30);
    expect(first['@level']).toBe(60);
    expect(first.broken).toMatch(/getter threw: getter exploded/);
    // Lists its keys only on the third try: the two key loops' listings throw, the careful walker's works.
    let calls = 0;
    const fickle = new Proxy(
      { level: 60, time: 1, a: 1 },
      {
        getOwnPropertyDescriptor(target, key) {
          if (calls++ < 2) throw new Error('not yet');
          return Reflect.getOwnPropertyDescriptor(target, key);
        },
      },
    );
    const line = fieldsJson(fickle, { ...DEFAULT_SAFE_OPTIONS, coreKeys: new Set(['level', 'time']) });
    expect(line).toBe(',"@level":60,"@time":1,"a":1');
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

describe('fields of many keys', () => {
  /** A small seeded generator, so a failure names a case that can be run again. */
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
  }
  const values: (() => unknown)[] = [
    () => 'plain',
    () => 'quote " backslash \\ newline \n',
    () => '\ud800 lone surrogate',
    () => 42,
    () => -0,
    () => Number.NaN,
    () => Number.POSITIVE_INFINITY,
    () => true,
    () => null,
    () => undefined,
    () => () => 1,
    () => Symbol('s'),
    () => ({ nested: { list: [1, 'two', null] } }),
    () => [{ a: 1 }, [2]],
    () => new Error('boom'),
    () => new Map([['k', 1]]),
    () => 7n,
    () => new Date(0),
    () => {
      const cycle: Record<string, unknown> = { name: 'cycle' };
      cycle.self = cycle;
      return cycle;
    },
    () =>
      new Proxy(
        {},
        {
          ownKeys() {
            throw new Error('ownKeys trap');
          },
        },
      ),
  ];
  const options = { ...DEFAULT_SAFE_OPTIONS, coreKeys: new Set(['level', 'time', 'msg']) };
  /** What the line holds key by key: each key alone (a getter as a getter) takes the small-object path. */
  function keyByKey(fields: Record<string, unknown>): string {
    let out = '';
    for (const key of Object.keys(fields)) {
      out += fieldsJson(Object.defineProperty({}, key, Object.getOwnPropertyDescriptor(fields, key)!), options);
    }
    return out;
  }

  it('are written as key by key, whatever the values (core keys, toJSON, Error, BigInt, getters, cycles)', () => {
    const next = random(17);
    for (let round = 0; round < 400; round++) {
      const fields: Record<string, unknown> = {};
      const keys = 8 + Math.floor(next() * 16);
      for (let i = 0; i < keys; i++) {
        const pick = next();
        const key = pick < 0.05 ? 'level' : pick < 0.08 ? 'msg' : pick < 0.1 ? 'toJSON' : `k${i}`;
        fields[key] = values[Math.floor(next() * values.length)]!();
      }
      if (next() < 0.1) Object.defineProperty(fields, 'got', { enumerable: true, get: () => ({ made: 'fresh' }) });
      if (next() < 0.05) {
        Object.defineProperty(fields, 'broken', {
          enumerable: true,
          get: () => {
            throw new Error('getter threw');
          },
        });
      }
      expect(fieldsJson(fields, options), `round ${round}`).toBe(keyByKey(fields));
    }
  });

  it('a top-level toJSON function is dropped like any function, not called for the whole object', () => {
    const fields: Record<string, unknown> = { toJSON: () => 'replaced' };
    for (let i = 0; i < 10; i++) fields[`k${i}`] = i;
    expect(fieldsJson(fields)).toBe(',"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9');
  });
});

describe('errors', () => {
  it('serialises nested causes and AggregateError members', () => {
    const root = new TypeError('root cause');
    const mid = new Error('middle', { cause: root });
    const agg = new AggregateError([new Error('one'), mid], 'many failed');
    const out = errorObject(agg);
    // pino's shape: causes' messages follow the error's, members under aggregateErrors; the
    // cause is also kept as an object (ours).
    expect(out).toMatchObject({
      type: 'AggregateError',
      message: 'many failed',
      aggregateErrors: [
        { type: 'Error', message: 'one' },
        { type: 'Error', message: 'middle: root cause', cause: { type: 'TypeError', message: 'root cause' } },
      ],
    });
    const middle = (out.aggregateErrors as Record<string, string>[])[1]!;
    expect(middle.stack).toMatch(/^Error: middle\n[\s\S]*\ncaused by: TypeError: root cause\n/);
  });

  it('type is the constructor, as pino: a renamed Error stays Error, a subclass is itself', () => {
    const renamed = Object.assign(new Error('x'), { name: 'X' });
    class DbError extends Error {}
    expect(errorObject(renamed).type).toBe('Error');
    expect(errorObject(new DbError('y')).type).toBe('DbError');
  });

  it('copies own enumerable properties and code', () => {
    const error = Object.assign(new Error('db'), { code: 'ECONNRESET', query: 'select 1', inner: new Error('deeper') });
    expect(errorObject(error)).toMatchObject({ code: 'ECONNRESET', query: 'select 1', inner: { message: 'deeper' } });
  });

  it('marks cause cycles', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(errorObject(a)).toMatchObject({
      message: 'a: b: ...',
      cause: { message: 'b: a: ...', cause: '[Circular]' },
    });
  });

  it("keeps an error's own keys named as Object's members (constructor, valueOf, __proto__)", () => {
    const error = new Error('own keys');
    Object.assign(error, { constructor: 'MyService', valueOf: 5, toString: 'text' });
    Object.defineProperty(error, '__proto__', { value: { shard: 2 }, enumerable: true });
    const written = logged({ err: error }).err as Record<string, unknown>;
    expect(written).toMatchObject({ type: 'Error', message: 'own keys', constructor: 'MyService', valueOf: 5 });
    expect(Object.hasOwn(written, 'toString') && written.toString).toBe('text');
    expect(Object.hasOwn(written, '__proto__') && Object.getOwnPropertyDescriptor(written, '__proto__')?.value).toEqual(
      { shard: 2 },
    );
  });

  it('an err object (not an Error) with a throwing getter: marked in place, the other fields kept', () => {
    const err = {
      message: 'from elsewhere',
      get detail(): never {
        throw new Error('detail exploded');
      },
      code: 'E1',
    };
    expect(logged({ err, other: 1 })).toEqual({
      level: 30,
      err: {
        type: 'Object',
        message: 'from elsewhere',
        stack: '',
        detail: '[getter threw: detail exploded]',
        code: 'E1',
      },
      other: 1,
      msg: 'm',
    });
  });

  it('an error whose message is an object: its JSON, in the error and as the line message', () => {
    const error = new Error('replaced');
    (error as { message: unknown }).message = { code: 7, detail: 5n };
    error.stack = 'Error: replaced\n    at a (a.js:1:1)';
    const { log, memory } = memoryLogger({ base: null, timestamp: false });
    log.error(error);
    expect(memory.objects()[0]).toMatchObject({
      err: { type: 'Error', message: '{"code":7,"detail":"5"}' },
      msg: '{"code":7,"detail":"5"}',
    });
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

describe('a work budget for hostile shapes', () => {
  // Each of these ran for seconds to minutes (or gigabytes) before the budget. They run in a
  // child with a time limit, so a regression is a failed test, not a hung suite.
  it('one budget per record: many keys holding one big Map write it once in full, then markers', () => {
    const map = new Map(Array.from({ length: 5000 }, (_, i) => [`k${i}`, 'v'.repeat(100)]));
    const fields: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) fields[`m${i}`] = map;
    const { log, memory } = memoryLogger({ base: null, timestamp: false });
    log.info(fields, 'shared');
    const line = memory.lines()[0]!;
    // Without a record's budget, 100 copies: 57 MB.
    expect(line.length).toBeLessThan(2 * 1024 * 1024);
    const record = JSON.parse(line) as Record<string, unknown>;
    expect(Object.keys(record.m0 as object)).toHaveLength(5000);
    // Once the budget is spent, the call's own keys are cut as a nested object's are, and said.
    expect(Object.keys(record)).toEqual(['level', 'm0', 'm1', '…', 'msg']);
    expect(record['…']).toBe('truncated: 2 of 100 entries written');
  });

  // The call's own keys were written whole, whatever the budget: 200,000 flat keys made a line of
  // 3.8 MB under maxNodes 1,000, where the same object one level down was cut.
  it.each([
    ['maxItems (10,000 by default)', 30_000, {}, 10_000],
    ['maxNodes', 200_000, { maxNodes: 1000 }, 1000],
  ])('a flat object of many keys logged as the call object is cut at %s', (_, keys, budget, written) => {
    const fields: Record<string, string> = {};
    for (let i = 0; i < keys; i++) fields[`k${i}`] = `v${i}`;
    const { log, memory } = memoryLogger({ base: null, timestamp: false, serialize: budget });
    log.info(fields, 'flat');
    log.info({ body: fields }, 'nested');
    const [top, nested] = memory.objects() as Record<string, unknown>[];
    expect(Object.keys(top!)).toHaveLength(written + 3);
    expect(top!['…']).toBe(`truncated: ${written} of ${keys} entries written`);
    expect(top![`k${written - 1}`]).toBe(`v${written - 1}`);
    expect(top!.msg).toBe('flat');
    expect(Object.keys(nested!.body as object).length).toBeLessThanOrEqual(written + 1);
  });

  it('a call object of few keys, or with a function among many, cannot pass the budget key by key', () => {
    // Each key holding one shared array of 1 MB of text: every value got a budget of its own.
    const big = Array.from({ length: 10_000 }, () => 'v'.repeat(100));
    const few: Record<string, unknown> = {};
    for (let k = 0; k < 7; k++) few[`k${k}`] = big;
    const many: Record<string, unknown> = { onDone() {} };
    for (let k = 0; k < 200; k++) many[`k${k}`] = big;
    const { log, memory } = memoryLogger({ base: null, timestamp: false });
    log.info(few, 'few');
    log.info(many, 'many');
    for (const line of memory.lines()) {
      // Before: 7.2 MB and 206 MB.
      expect(line.length).toBeLessThan(1.2 * 1024 * 1024);
      expect(JSON.parse(line)['…']).toMatch(/^truncated: \d+ of (7|201) entries written$/);
    }
  });

  it('the cut is said under a name of its own when the call object has a key "…"', () => {
    const fields: Record<string, string> = { '…': 'the application’s' };
    for (let i = 0; i < 20; i++) fields[`k${i}`] = `v${i}`;
    const { log, memory } = memoryLogger({ base: null, timestamp: false, serialize: { maxItems: 10 } });
    log.info(fields, 'm');
    const record = memory.objects()[0] as Record<string, unknown>;
    expect(record['…']).toBe('the application’s');
    expect(record['… (2)']).toBe('truncated: 10 of 21 entries written');
    expect(memory.lines()[0]!.match(/"…":/g)).toHaveLength(1);
  });

  it("the call object's values draw on one budget: long strings stop at maxChars, objects at maxNodes", () => {
    const strings: Record<string, string> = {};
    for (let i = 0; i < 100; i++) strings[`s${i}`] = 'x'.repeat(1000);
    const objects: Record<string, Record<string, number>> = {};
    for (let i = 0; i < 20; i++)
      objects[`o${i}`] = Object.fromEntries(Array.from({ length: 100 }, (_, k) => [`n${k}`, k]));
    const { log, memory } = memoryLogger({
      base: null,
      timestamp: false,
      serialize: { maxChars: 10_000, maxNodes: 500 },
    });
    log.info(strings, 'strings');
    log.info(objects, 'objects');
    const [lineOfStrings, lineOfObjects] = memory.lines();
    // Before, each was written whole: 100 kB, and 2,000 nodes.
    expect(lineOfStrings!.length).toBeLessThan(12_000);
    expect(JSON.parse(lineOfStrings!)['…']).toMatch(/^truncated: \d+ of 100 entries written$/);
    expect(lineOfObjects!.length).toBeLessThan(5_000);
    expect(JSON.parse(lineOfObjects!)['…']).toMatch(/^truncated: \d+ of 20 entries written$/);
  });

  it('one budget per message too: a hundred %j (or appended arguments) of one big Map write it once in full', () => {
    const map = new Map(Array.from({ length: 5000 }, (_, i) => [`k${i}`, 'v'.repeat(100)]));
    const args: unknown[] = Array(100).fill(map);
    const { log, memory } = memoryLogger({ base: null, timestamp: false });
    log.info('%j '.repeat(100), ...args);
    log.info('appended', ...args);
    log.info({ a: 1 }, ...args);
    for (const line of memory.lines()) {
      // Without a message's budget, 100 copies: 55 MB each.
      expect(line.length).toBeLessThan(2 * 1024 * 1024);
      const msg = (JSON.parse(line) as { msg: string }).msg;
      expect(msg).toContain('"k4999":');
      expect(msg).toContain('"[truncated: serialisation budget spent]"');
    }
  });

  it('sparse arrays, shared-reference graphs, getter trees, nested typed arrays, huge errors: all bounded', () => {
    requireBuild();
    const script = `
      import { createLogger } from ${JSON.stringify(DIST_ESM)};
      const log = createLogger({ exitFlush: false, base: null, transports: [{ type: 'memory' }] });
      const make = () => ({ get a() { return make(); }, get b() { return make(); } });
      let shared = { leaf: 1 };
      for (let i = 0; i < 25; i++) shared = { a: shared, b: shared };
      let chain = new Error('root');
      for (let i = 0; i < 100000; i++) chain = new Error('wrap ' + i, { cause: chain });
      const sparse = []; sparse.length = 1e8;
      const cases = {
        sparse: { sparse },
        shared: { shared },
        getters: { g: make() },
        typed: { nested: { data: new Uint8Array(5e7) } },
        aggregate: new AggregateError(Array.from({ length: 100000 }, (_, i) => new Error('e' + i)), 'many'),
        chain,
      };
      const out = {};
      for (const [name, value] of Object.entries(cases)) {
        log.info(value, name);
        const line = log.transports[0].records().at(-1).json();
        out[name] = { chars: line.length, json: JSON.parse(line) };
      }
      process.stdout.write(JSON.stringify(out));
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(result.stderr).toBe('');
    // biome-ignore lint/suspicious/noExplicitAny: the parsed lines, read by known paths
    const out = JSON.parse(result.stdout) as Record<string, { chars: number; json: Record<string, any> }>;
    for (const { chars } of Object.values(out)) expect(chars).toBeLessThan(2 * 1024 * 1024);
    expect(out.sparse!.json.sparse.at(-1)).toBe('… 99990000 more');
    expect(JSON.stringify(out.shared!.json)).toContain('truncated');
    expect(out.typed!.json.nested).toEqual({ data: { type: 'Uint8Array', length: 5e7 } });
    expect(out.aggregate!.json.err.aggregateErrors).toHaveLength(21);
    expect(out.aggregate!.json.err.aggregateErrors.at(-1)).toBe('… 99980 more error(s)');
    let cause = out.chain!.json.err;
    // The message names the first ten causes too (pino's "outer: inner"), never all 100,000.
    expect(cause.message).toBe(Array.from({ length: 11 }, (_, k) => `wrap ${99999 - k}`).join(': '));
    let depth = 0;
    while (typeof cause.cause === 'object') {
      cause = cause.cause;
      depth++;
    }
    expect(depth).toBe(10);
    expect(cause.cause).toBe('[cause chain truncated]');
  });

  it('Map keys that are objects are walked within the record: keyed by itself, by Maps, by equal names', () => {
    // Each key was written by a walk of its own (no ancestors, a fresh budget): the first never
    // returned (gigabytes), the second doubled the line per level (100 MB at 24), the third
    // counted " (2)", " (3)"… from the start for every key (a second for 5,000).
    requireBuild();
    const script = `
      import { createLogger } from ${JSON.stringify(DIST_ESM)};
      const log = createLogger({ exitFlush: false, base: null, transports: [{ type: 'memory' }] });
      const self = new Map(); self.set(self, 1);
      let nested = new Map([['leaf', 1]]);
      for (let i = 0; i < 30; i++) nested = new Map([[nested, i]]);
      const same = new Map(Array.from({ length: 5000 }, (_, i) => [{}, i]));
      const out = {};
      for (const [name, value] of Object.entries({ self, nested, same })) {
        const began = performance.now();
        log.info({ value }, name);
        const ms = performance.now() - began;
        const line = log.transports[0].records().at(-1).json();
        out[name] = { ms, chars: line.length, value: JSON.parse(line).value };
      }
      process.stdout.write(JSON.stringify(out));
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(result.signal).toBeNull();
    expect(result.stderr).toBe('');
    // biome-ignore lint/suspicious/noExplicitAny: the parsed lines, read by known paths
    const out = JSON.parse(result.stdout) as Record<string, { ms: number; chars: number; value: any }>;
    expect(out.self!.value).toEqual({ '"[Circular]"': 1 });
    expect(out.nested!.chars).toBeLessThan(2 * 1024 * 1024);
    expect(JSON.stringify(out.nested!.value)).toContain('[Object]');
    const names = Object.keys(out.same!.value);
    expect(names).toHaveLength(5000);
    expect(names.at(-1)).toBe('{} (5000)');
    expect(out.same!.value['{} (5000)']).toBe(4999);
  });

  it('nested Buffers and typed arrays get the same preview as top-level ones', () => {
    const json = JSON.parse(
      `{${fieldsJson({ outer: { buf: Buffer.from('hi'), view: new Uint16Array(4) } }).slice(1)}}`,
    );
    expect(json.outer).toEqual({
      buf: { type: 'Buffer', length: 2, base64: 'aGk=' },
      view: { type: 'Uint16Array', length: 8 },
    });
  });
});

describe('the budget is configurable', () => {
  it('serialize.maxItems and maxDepth from config apply to every record', () => {
    const { log, memory } = memoryLogger({ base: null, timestamp: false, serialize: { maxItems: 3, maxDepth: 2 } });
    log.info({ list: [1, 2, 3, 4, 5], deep: { a: { b: { c: 1 } } } }, 'm');
    expect(memory.objects()[0]).toEqual({
      level: 30,
      list: [1, 2, 3, '… 2 more'],
      deep: { a: { b: '[Object]' } },
      msg: 'm',
    });
  });
});
