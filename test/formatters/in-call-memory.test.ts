import fc from 'fast-check';
import stringify from 'fast-json-stable-stringify';
import { describe, expect, it } from 'vitest';
import {
  createLogger,
  createTextFormatter,
  type Formatter,
  type LogRecord,
  stableJsonFormatter,
} from '../../src/index.js';
import { EagerTransport } from '../helpers.js';

/*
 * The oracle for text: logfmt of the parsed line, written the plain way (a list of pairs, no
 * memory between records), by the rules the formatter documents.
 */
const NEEDS_QUOTES =
  /[\s="\\\u0000-\u001f\u007f-\u009f\u2028\u2029\ud800-\udfff]|[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
function oracleValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
  if (text.length > 0 && !NEEDS_QUOTES.test(text)) return text;
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
function oracleKey(key: string): string {
  const safe = key.replace(/[^\w.\-/@:]/g, '_');
  return safe.length > 0 ? safe : '_';
}
function oracleFlat(out: string[], prefix: string, value: unknown, depth: number): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && depth < 8) {
    const entries = Object.entries(value);
    if (entries.length === 0) out.push(`${oracleKey(prefix)}={}`);
    for (const [key, inner] of entries) oracleFlat(out, prefix ? `${prefix}.${key}` : key, inner, depth + 1);
    return;
  }
  out.push(`${oracleKey(prefix)}=${oracleValue(value)}`);
}
function oracleText(record: LogRecord): string {
  const view = record.toObject();
  const out = [`time=${new Date(record.time).toISOString()}`, `level=${oracleValue(record.label)}`];
  const hasName = typeof view.name === 'string';
  if (hasName) out.push(`name=${oracleValue(view.name)}`);
  if (view.msg !== undefined) out.push(`msg=${oracleValue(String(view.msg))}`);
  const skip = new Set(['level', 'time', 'msg', 'pid', 'hostname', ...(hasName ? ['name'] : [])]);
  for (const [key, value] of Object.entries(view)) if (!skip.has(key)) oracleFlat(out, key, value, 0);
  return `${out.join(' ')}\n`;
}

function eagerLogger() {
  const text = new EagerTransport({ maxRecords: 100, formatter: createTextFormatter() });
  const stable = new EagerTransport({ maxRecords: 100, formatter: stableJsonFormatter });
  const log = createLogger({ exitFlush: false, transports: [{ transport: text }, { transport: stable }] });
  return { log, text, stable };
}

/** Both formats, written during the call, against the oracles reading the parsed line. */
function expectLineContents(text: EagerTransport, stable: EagerTransport): void {
  const records = text.records();
  expect(records.length).toBe(text.seen.length);
  records.forEach((record, i) => {
    expect(text.seen[i]).toBe(oracleText(record));
    expect(stable.seen[i]).toBe(`${stringify(record.toObject())}\n`);
  });
}

// Few keys and look-alike values, so records from one call site repeat places and values,
// and change them: a number and its string, -0 and 0, a JSON array and a string that spells it.
const long = 'l'.repeat(600);
const leaf = fc.constantFrom<unknown>(
  '1',
  1,
  '[1]',
  [1],
  ['1'],
  [],
  {},
  'x',
  'x y',
  '',
  'a"b',
  'é',
  0,
  -0,
  1.5,
  true,
  long,
);
const key = fc.constantFrom('a', 'b', '2', '10', 'name', 'k y');
const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    leaf,
    fc.record({ a: tie('tree'), '2': leaf }),
    fc.dictionary(key, tie('tree'), { maxKeys: 4 }),
    fc.array(tie('tree'), { maxLength: 3 }),
  ),
}));
/** Mostly records with the same keys (one call site), now and then others. */
const fieldsList = fc
  .tuple(
    fc.uniqueArray(key, { minLength: 1, maxLength: 4 }),
    fc.array(fc.tuple(fc.array(tree, { minLength: 4, maxLength: 4 }), fc.dictionary(key, tree, { maxKeys: 4 })), {
      minLength: 1,
      maxLength: 12,
    }),
    fc.array(fc.constantFrom('m', 'm 2', 'other'), { minLength: 12, maxLength: 12 }),
  )
  .map(([keys, records, msgs]) =>
    records.map(([values, other], i): [Record<string, unknown>, string] => [
      i % 4 === 3 ? other : Object.fromEntries(keys.map((k, j) => [k, values[j]])),
      msgs[i]!,
    ]),
  );

describe('text and stable-json remember keys and values between records of a call site', () => {
  it('still write what each line holds when keys and values change from one record to the next', () => {
    fc.assert(
      fc.property(fieldsList, (calls) => {
        const { log, text, stable } = eagerLogger();
        const child = log.child({ bound: 'b', nested: { n: 1 } });
        for (const [fields, msg] of calls) (msg === 'other' ? child : log).info(fields, msg);
        expectLineContents(text, stable);
      }),
      { numRuns: 300 },
    );
  });

  it('write a logged object changed in place between calls as the line has it each time', () => {
    const { log, text, stable } = eagerLogger();
    const order = { id: 7, tags: ['x'], item: { sku: 'a 1', qty: 1 } as Record<string, unknown> };
    log.info(order, 'placed');
    order.tags.push('y');
    order.item.sku = 'b';
    delete order.item.qty;
    order.item.price = 3;
    log.info(order, 'placed');
    order.item = { qty: 2, sku: 'b' };
    log.info(order, 'placed');
    expectLineContents(text, stable);
    expect(text.seen[1]).toContain('tags="[\\"x\\",\\"y\\"]" item.sku=b item.price=3');
    expect(stable.seen[2]).toContain('"item":{"qty":2,"sku":"b"}');
  });

  it('write a list changed in place between calls (an item, an object in it, its length) as the line has it', () => {
    const { log, text, stable } = eagerLogger();
    const item = { sku: 'a', qty: 1 };
    const order = { tags: ['x', 'y'], items: [item, 2], flags: [true, null, 0] as unknown[] };
    log.info(order, 'placed');
    order.tags[1] = 'z';
    item.qty = 2;
    order.flags[2] = Number.NaN;
    log.info(order, 'placed');
    order.tags.push('w');
    order.items.pop();
    order.flags[2] = -0;
    log.info(order, 'placed');
    log.info({ ...order, tags: { 0: 'x' }, items: 'none' }, 'placed');
    log.info(order, 'placed');
    expectLineContents(text, stable);
    expect(text.seen[1]).toContain('tags="[\\"x\\",\\"z\\"]"');
    expect(stable.seen[1]).toContain('"items":[{"qty":2,"sku":"a"},2]');
    expect(stable.seen[2]).toContain('"tags":["x","z","w"]');
  });

  it('write lists longer than what is kept item by item, one item changed each time', () => {
    const { log, text, stable } = eagerLogger();
    const list = Array.from({ length: 70 }, (_, i) => i);
    for (let i = 0; i < 4; i++) {
      list[i * 20] = -i;
      log.info({ list, short: list.slice(0, 17) }, 'm');
    }
    expectLineContents(text, stable);
  });

  it('write a value again after one too long to remember came between', () => {
    const { log, text, stable } = eagerLogger();
    for (const value of ['x', long, 'x', [1], long, [1], 'x']) log.info({ v: value, o: { v: value, w: 1 } }, 'm');
    expectLineContents(text, stable);
  });

  it('write the line of a record whose object has a getter that throws, not a formatError', () => {
    const { log, text, stable } = eagerLogger();
    const tricky = {
      ok: 1,
      get broken(): never {
        throw new Error('getter exploded');
      },
    };
    log.info({ tricky }, 'm');
    expect(text.seen[0]).toContain('tricky.ok=1 tricky.broken="[getter threw: getter exploded]"');
    expect(stable.seen[0]).not.toContain('formatError');
    expectLineContents(text, stable);
  });

  it('write objects with keys made from data (new keys in every record) as each line has them', () => {
    const { log, text, stable } = eagerLogger();
    for (let i = 0; i < 50; i++) log.info({ byId: { [`id${i}`]: i, [`id${i + 1}`]: 'x y' } }, 'm');
    expectLineContents(text, stable);
    // A formatter used later on parsed records still agrees with itself.
    const later: Formatter = createTextFormatter();
    expect(later.format(text.records()[49]!)).toBe(text.seen[49]);
  });

  it('stable-json: after a record too long to remember, a full write, then records that change only at the end', () => {
    const stable = new EagerTransport({ maxRecords: 100, formatter: stableJsonFormatter });
    const log = createLogger({ exitFlush: false, base: null, timestamp: false, transports: [{ transport: stable }] });
    // Sorted keys a, level, msg, z: z changes first at the end, then a line too long to keep
    // makes the next record write in full, where a changes.
    for (const [a, z] of [
      ['x', 1],
      ['x', 2],
      ['x', 'l'.repeat(5000)],
      ['y', 4],
      ['y', 5],
    ] as const) {
      log.info({ a, z }, 'm');
    }
    const records = stable.records();
    expect(stable.seen).toEqual(records.map((record) => `${stringify(record.toObject())}\n`));
    expect(stable.seen[4]).toBe('{"a":"y","level":30,"msg":"m","z":5}\n');
  });
  it('stable-json: the first member that changes moves back and forth, nested objects too', () => {
    const stable = new EagerTransport({ maxRecords: 100, formatter: stableJsonFormatter });
    const log = createLogger({ exitFlush: false, base: null, timestamp: false, transports: [{ transport: stable }] });
    // Sorted: a, b, c, d, level, msg. Each step changes one member (or none), so the part
    // before it is what the records before wrote.
    const steps: Partial<Record<'a' | 'b' | 'c' | 'd', unknown>>[] = [
      {},
      { d: 2 },
      { d: 3 },
      { b: { x: 1, y: 2 } },
      { d: 4 },
      {},
      { c: 'c 2' },
      { b: { x: 1, y: 3 } },
      { a: 0 },
      { d: 5 },
      { b: { x: 2, y: 3 } },
      { c: 'c 2' },
    ];
    let fields: Record<string, unknown> = { a: 1, b: { x: 1, y: 1 }, c: 'c', d: 1 };
    for (const step of steps) {
      fields = { ...fields, ...step };
      log.info(fields, 'm');
    }
    const records = stable.records();
    expect(records).toHaveLength(steps.length);
    expect(stable.seen).toEqual(records.map((record) => `${stringify(record.toObject())}\n`));
    expect(stable.seen.at(-1)).toBe('{"a":0,"b":{"x":2,"y":3},"c":"c 2","d":5,"level":30,"msg":"m"}\n');
  });
  it('a call site whose name field is a string, then not, then again: head and fields as each line has them', () => {
    const { log, text, stable } = eagerLogger();
    // The key set stays the same; whether `name` is the head's or a field's changes with its value.
    for (const name of ['api', 7, 'api', { n: 'x' }, 'worker', 7]) log.info({ name, a: 1, 'q"\\\n': 2 }, 'm');
    expectLineContents(text, stable);
    expect(text.seen[1]).toMatch(/ msg=m name=7 a=1 q___=2\n$/);
    expect(text.seen[2]).toMatch(/ name=api msg=m a=1 q___=2\n$/);
  });
  it('text: a level, name or message that changes from one record to the next is written as each line has it', () => {
    const { log, text, stable } = eagerLogger();
    const named = log.child({ name: 'api' });
    const renamed = log.child({ name: 'worker' });
    log.info({ a: 1 }, 'm');
    log.warn({ a: 1 }, 'm');
    named.warn({ a: 1 }, 'm');
    renamed.warn({ a: 1 }, 'm');
    renamed.warn({ a: 1 });
    renamed.warn({ a: 1 }, 'm');
    log.info({ a: 1 }, 'm');
    expectLineContents(text, stable);
    expect(text.seen.map((line) => line.slice(line.indexOf(' ') + 1))).toEqual([
      'level=info msg=m a=1\n',
      'level=warn msg=m a=1\n',
      'level=warn name=api msg=m a=1\n',
      'level=warn name=worker msg=m a=1\n',
      'level=warn name=worker a=1\n',
      'level=warn name=worker msg=m a=1\n',
      'level=info msg=m a=1\n',
    ]);
  });
});
