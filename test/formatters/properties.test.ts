import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createLogger,
  createPrettyFormatter,
  createTextFormatter,
  MemoryTransport,
  stableJsonFormatter,
} from '../../src/index.js';
import { sanitize } from '../../src/core/util/sanitize.js';

const text = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({
    unit: fc.constantFrom(
      '\n',
      '\r',
      '\u001b',
      '[',
      '3',
      '1',
      'm',
      '"',
      '\\',
      '\u0000',
      '\u2028',
      '\u009b',
      '\ud800',
      '\udc00',
      'a',
      '=',
      ' ',
    ),
  }),
);
const value = fc.anything({
  key: text,
  values: [text, fc.bigInt(), fc.double(), fc.constant(undefined), fc.date({ noInvalidDate: false })],
  withBigInt: true,
  withMap: true,
  withSet: true,
  withDate: true,
  withTypedArray: true,
  withSparseArray: true,
  withNullPrototype: true,
  withBoxedValues: true,
  maxDepth: 4,
});
const fields = fc.dictionary(text, value, { maxKeys: 6 });

function setup() {
  const json = new MemoryTransport({ maxRecords: 1 });
  const textOut = new MemoryTransport({ maxRecords: 1, formatter: createTextFormatter({ showBase: true }) });
  const pretty = new MemoryTransport({ maxRecords: 1, formatter: createPrettyFormatter({ utc: true }) });
  const log = createLogger({ level: 'trace', exitFlush: false, transports: [json, textOut, pretty] });
  return { log, json, textOut, pretty };
}

describe('properties', () => {
  const { log, json, textOut, pretty } = setup();

  it('every record yields exactly one line of valid JSON', () => {
    fc.assert(
      fc.property(fields, text, text, (obj, msg, bindingKey) => {
        log.child({ [bindingKey]: msg }).info(obj, msg);
        const [line] = json.lines();
        expect(line!.indexOf('\n')).toBe(line!.length - 1);
        const parsed = JSON.parse(line!) as Record<string, unknown>;
        expect(parsed.msg).toBe(msg);
        expect(parsed.level).toBe(30);
      }),
      { numRuns: 400 },
    );
  });

  it('text and pretty output never carry a raw newline, CR or escape byte from the data', () => {
    fc.assert(
      fc.property(fields, text, (obj, msg) => {
        log.warn(obj, msg);
        const [logfmt] = textOut.lines();
        expect(logfmt!.indexOf('\n')).toBe(logfmt!.length - 1);
        expect(logfmt).not.toMatch(/[\r\u001b\u009b\u2028\u2029\u0000]/);
        const [human] = pretty.lines();
        expect(human).not.toMatch(/[\r\u001b\u009b\u2028\u2029\u0000]/);
        const parts = human!.split('\n');
        expect(parts.at(-1)).toBe('');
        for (const continuation of parts.slice(1, -1)) expect(continuation.startsWith('    ')).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

describe('stable-json', () => {
  it('matches fast-json-stable-stringify for any record, integer-like keys included', async () => {
    const { stableJsonFormatter } = await import('../../src/index.js');
    const stringify = (await import('fast-json-stable-stringify')).default;
    const memory = new MemoryTransport({ maxRecords: 1, formatter: stableJsonFormatter });
    const log = createLogger({ exitFlush: false, transports: [memory] });
    fc.assert(
      fc.property(
        fc.dictionary(fc.oneof(text, fc.constantFrom('2', '10', '0', '01', 'a')), fc.jsonValue({ maxDepth: 3 }), {
          maxKeys: 6,
        }),
        text,
        (obj, msg) => {
          log.info(obj, msg);
          const [record] = memory.records();
          expect(memory.lines()[0]).toBe(stringify(record!.toObject()) + '\n');
        },
      ),
      { numRuns: 300 },
    );
  });
});

// Hostile values: what a careless or malicious caller hands a log call. Each wrapper makes a
// value that breaks native JSON.stringify, util.inspect or a naive walk in its own way.
const hostileKey = fc.oneof(
  text,
  fc.constantFrom('level', 'time', 'msg', 'pid', 'hostname', 'name', '@level', '@@level', '@msg', '__proto__'),
  fc.constantFrom('constructor', 'toJSON', 'stack', 'message', 'type', '', '…', '1', 'undefined'),
);

/** An object with the given own entries, `__proto__` included as a key (an object literal would set the prototype). */
function own(entries: [string, unknown][], proto: object | null = Object.prototype): Record<string, unknown> {
  const out = Object.create(proto) as Record<string, unknown>;
  for (const [key, value] of entries) {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function thrower(what: string): () => never {
  return () => {
    throw new Error(`${what} threw`);
  };
}

const TRAPS = ['get', 'ownKeys', 'getPrototypeOf', 'getOwnPropertyDescriptor', 'has'] as const;

const hostileLeaf = fc.oneof(
  text,
  fc.bigInt(),
  fc.double(),
  fc.constantFrom(undefined, null, true, -0, Number.NaN, Symbol('value')),
  fc.constantFrom(
    () => 1,
    new Date(Number.NaN),
    new Date(0),
    /re\n/g,
    new WeakMap(),
    new Uint8Array([1, 2, 3]),
    new Float64Array(2),
    new BigInt64Array(1),
    new ArrayBuffer(4),
    new DataView(new ArrayBuffer(2)),
    Buffer.from('buffer\n'),
    Object(1n),
    Object('boxed'),
  ),
);

/**
 * A hostile value is generated as a recipe that makes it: fast-check itself reads what it
 * generates (and prints it on failure), which a Proxy whose traps throw would break; and
 * every run gets fresh objects. Printed, a recipe says what it makes.
 */
type Make = () => unknown;

function recipe(description: string, make: Make): Make {
  return Object.assign(make, { [fc.toStringMethod]: () => description });
}

const { hostile } = fc.letrec<{ hostile: Make }>((tie) => ({
  hostile: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileLeaf.map((value) => recipe(fc.stringify(value), () => value)),
    fc
      .array(fc.tuple(hostileKey, tie('hostile')), { maxLength: 4 })
      .map((entries) => recipe(`object ${fc.stringify(entries)}`, () => own(entries.map(([k, v]) => [k, v()])))),
    fc.array(fc.tuple(hostileKey, tie('hostile')), { maxLength: 3 }).map((entries) =>
      recipe(`null-prototype ${fc.stringify(entries)}`, () =>
        own(
          entries.map(([k, v]) => [k, v()]),
          null,
        ),
      ),
    ),
    fc
      .array(tie('hostile'), { maxLength: 3 })
      .map((items) => recipe(`array ${fc.stringify(items)}`, () => items.map((v) => v()))),
    fc.tuple(hostileKey, tie('hostile')).map(([key, value]) =>
      recipe(`cycle ${fc.stringify([key, value])}`, () => {
        // A cycle through an array, a Map and a Set.
        const o = own([[key, value()]]);
        o.self = [o, new Map([['back', o]]), new Set([o])];
        return o;
      }),
    ),
    fc.tuple(tie('hostile'), tie('hostile')).map(([a, b]) =>
      recipe(`map ${fc.stringify([a, b])}`, () => {
        const [x, y] = [a(), b()];
        return new Map<unknown, unknown>([
          [1, x],
          ['1', y],
          [1n, x],
          [Symbol('key'), y],
          [{ k: x }, y],
        ]);
      }),
    ),
    tie('hostile').map((value) => recipe(`set ${fc.stringify(value)}`, () => new Set([value(), 2n]))),
    hostileKey.map((key) =>
      recipe(`throwing getter ${key}`, () =>
        Object.defineProperty({ ok: 1 }, key, { enumerable: true, get: thrower('getter') }),
      ),
    ),
    fc.constantFrom('throws', 'self', 'bigint', 'huge').map((kind) =>
      recipe(`toJSON ${kind}`, () => {
        const o: Record<string, unknown> = { inner: 1 };
        const big = () => 5n;
        const huge = () => 'j'.repeat(70_000);
        o.toJSON = kind === 'throws' ? thrower('toJSON') : kind === 'self' ? () => o : kind === 'bigint' ? big : huge;
        return o;
      }),
    ),
    fc
      .tuple(fc.constantFrom(...TRAPS), tie('hostile'))
      .map(([trap, value]) =>
        recipe(
          `proxy ${trap} ${fc.stringify(value)}`,
          () => new Proxy({ value: value(), level: 10 }, { [trap]: thrower(`${trap} trap`) }),
        ),
      ),
    fc.tuple(text, tie('hostile')).map(([message, cause]) =>
      recipe(`error ${fc.stringify([message, cause])}`, () => {
        const error = new TypeError(message, { cause: cause() });
        (error as unknown as Record<string, unknown>).level = 60;
        return error;
      }),
    ),
    fc.tuple(text, tie('hostile')).map(([message, member]) =>
      recipe(`aggregate ${fc.stringify([message, member])}`, () => {
        const outer = new AggregateError([new Error(message), member()], message);
        outer.cause = outer;
        return outer;
      }),
    ),
    tie('hostile').map((value) => recipe(`frozen ${fc.stringify(value)}`, () => Object.freeze({ frozen: value() }))),
  ),
}));

const hostileFields = fc
  .array(fc.tuple(hostileKey, hostile), { maxLength: 6 })
  .map((entries) => recipe(`fields ${fc.stringify(entries)}`, () => own(entries.map(([k, v]) => [k, v()]))));
const allFormats = { json: undefined, text: 'text', 'stable-json': 'stable-json', pretty: 'pretty' } as const;

/** Every built-in format of one record, logged to memory transports. */
function everyFormat(options: Record<string, unknown> = {}) {
  const outputs = Object.entries(allFormats).map(([name, format]) => ({
    name,
    memory: new MemoryTransport({
      maxRecords: 1,
      formatter:
        format === 'text'
          ? createTextFormatter()
          : format === 'pretty'
            ? createPrettyFormatter({ utc: true })
            : format === 'stable-json'
              ? stableJsonFormatter
              : undefined,
    }),
  }));
  const log = createLogger({ level: 'trace', exitFlush: false, ...options, transports: outputs.map((o) => o.memory) });
  const out = Object.fromEntries(outputs.map((o) => [o.name, o.memory])) as Record<string, MemoryTransport>;
  // With base: null, pid and hostname are fields like any other, and shown as fields.
  return { log, out, baseKeys: options.base === null ? [] : ['pid', 'hostname'] };
}

/** A logfmt pair's key, as the text format writes it. */
function textKey(key: string): string {
  return /^[\w.\-/@:]+$/.test(key) ? key : key.replace(/[^\w.\-/@:]/g, '_') || '_';
}

/** The invariants of one logged call, over every format. */
function expectWrittenSafely(
  setup: ReturnType<typeof everyFormat>,
  call: () => void,
  expected: { level: number; label: string; msg?: string },
): void {
  const before = setup.log.stats().logged;
  call();
  expect(setup.log.stats().logged).toBe(before + 1);
  const line = setup.out.json!.lines()[0]!;
  expect(line.indexOf('\n')).toBe(line.length - 1);
  // Valid UTF-8: a lone surrogate would not survive encoding.
  expect(Buffer.from(line, 'utf8').toString('utf8')).toBe(line);
  const object = JSON.parse(line) as Record<string, unknown>;
  // No key written twice at any depth: JSON.parse would keep only its last value.
  expect(JSON.stringify(object).length, line).toBe(line.length - 1);
  expect(object.level).toBe(expected.level);
  if (expected.msg !== undefined) expect(object.msg).toBe(expected.msg);
  expect(JSON.parse(setup.out['stable-json']!.lines()[0]!)).toEqual(object);
  const textLine = setup.out.text!.lines()[0]!;
  expect(textLine.indexOf('\n')).toBe(textLine.length - 1);
  expect(textLine).not.toMatch(/[\r\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
  expect(textLine).toContain(` level=${expected.label}`);
  const pretty = setup.out.pretty!.lines()[0]!;
  expect(pretty).not.toMatch(/[\r\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
  expect(pretty.split('\n')[0]).toContain(expected.label.toUpperCase());
  const header = new Set(['level', 'time', 'msg', ...setup.baseKeys]);
  if (typeof object.name === 'string') header.add('name');
  for (const key of Object.keys(object)) {
    if (header.has(key)) continue;
    // Every field the line holds shows in the text forms.
    // An object under the empty key is flattened under a leading dot (`.level=`).
    const starts = key === '' ? [' _=', ' .'] : [` ${textKey(key)}=`, ` ${textKey(key)}.`];
    expect(
      starts.some((start) => textLine.includes(start)),
      key,
    ).toBe(true);
    expect(pretty, key).toContain(`\n    ${sanitize(key)}: `);
  }
}

describe('hostile values, every built-in format', () => {
  it.each([
    ['', {}],
    [', base: null', { base: null }],
  ])(
    'property: any call never throws, writes one valid JSON line, and every format shows what it holds%s',
    (_n, options) => {
      const setup = everyFormat(options);
      fc.assert(
        fc.property(hostileFields, hostile, text, hostile, (makeFields, make, msg, makeBinding) => {
          const log = setup.log;
          const [fields, value, binding] = [makeFields() as Record<string, unknown>, make(), makeBinding()];
          expectWrittenSafely(setup, () => log.info(fields, msg), { level: 30, label: 'info', msg });
          // After an object the message is the one given; after a string or a number, both are the message.
          const given = typeof value === 'object' && value !== null ? msg : undefined;
          expectWrittenSafely(setup, () => log.warn(value as object, msg), { level: 40, label: 'warn', msg: given });
          expectWrittenSafely(setup, () => log.error(value), { level: 50, label: 'error' });
          expectWrittenSafely(
            setup,
            () => log.info(`${msg} %s %d %j %o %O`, value, value, value, value, value, value),
            {
              level: 30,
              label: 'info',
            },
          );
          // A binding and a field by one name are both written, as pino does (readers take the field's): apart here.
          const bindings: [string, unknown][] = [
            ['bound', binding],
            ['time', binding],
          ];
          const apart = own(Object.entries(fields).filter(([key]) => !/^@*(bound|time)$/.test(key)));
          expectWrittenSafely(setup, () => log.child(own(bindings)).debug(apart, msg), {
            level: 20,
            label: 'debug',
            msg,
          });
          expectWrittenSafely(setup, () => log.child(fields).fatal(msg), { level: 60, label: 'fatal', msg });
        }),
        { numRuns: 100 },
      );
    },
  );

  it("property: mixin, serializers' and formatters.log's outputs are written as safely", () => {
    let current: unknown;
    const give = () => current;
    const setups = [
      everyFormat({ mixin: give }),
      everyFormat({ serializers: { s: give, err: give } }),
      everyFormat({ formatters: { log: give } }),
    ];
    fc.assert(
      fc.property(hostile, hostileFields, text, (make, makeFields, msg) => {
        current = make();
        const fields = makeFields() as Record<string, unknown>;
        for (const setup of setups) {
          expectWrittenSafely(setup, () => setup.log.info(own([['s', 1], ...Object.entries(fields)]), msg), {
            level: 30,
            label: 'info',
            msg,
          });
          expectWrittenSafely(setup, () => setup.log.error(new Error(msg)), { level: 50, label: 'error' });
        }
      }),
      { numRuns: 100 },
    );
  });
});
