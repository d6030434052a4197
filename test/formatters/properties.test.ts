import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger, createPrettyFormatter, createTextFormatter, MemoryTransport } from '../../src/index.js';

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
