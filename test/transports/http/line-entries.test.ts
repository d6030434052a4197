import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger, MemoryTransport } from '../../../src/index.js';
import { LineEntries, pickEntries } from '../../../src/transports/http/presets/line-entries.js';
import { httpPreset } from '../../../src/transports/http/presets/index.js';

/** Text that JSON has to escape, and some that only looks like structure. */
const text = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({
    unit: fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', '\n', '\u0000', '\u2028', '\ud800', 'a'),
  }),
);
const json = fc.jsonValue({ maxDepth: 3 });

function entriesOf(line: string): [unknown, unknown][] {
  const reader = new LineEntries().read(line);
  const out: [unknown, unknown][] = [];
  while (reader.next()) out.push([JSON.parse(reader.key), JSON.parse(reader.value)]);
  return out;
}

/** What OTLP makes of a JSON value, written independently of the preset. */
function anyValue(value: unknown): unknown {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isSafeInteger(value) ? { intValue: value } : { doubleValue: value };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  if (value !== null && typeof value === 'object') {
    return { kvlistValue: { values: Object.entries(value).map(([key, v]) => ({ key, value: anyValue(v) })) } };
  }
  return {};
}

describe('reading a JSON line entry by entry, without parsing it', () => {
  it('gives each top-level key and raw value, as JSON.parse reads them', () => {
    fc.assert(
      fc.property(fc.dictionary(text, json, { maxKeys: 8 }), (object) => {
        const line = `${JSON.stringify(object)}\n`;
        expect(entriesOf(line)).toEqual(Object.entries(JSON.parse(line)));
      }),
      { numRuns: 500 },
    );
  });

  it('picks the wanted keys, the last of a repeated one, as JSON.parse reads them', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', '"q"'), json), { maxLength: 8 }), (pairs) => {
        // Written by hand so that keys repeat, as a line can repeat them.
        const line = `{${pairs.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}\n`;
        const parsed = JSON.parse(line) as Record<string, unknown>;
        const picked = pickEntries(line, new Set(['"a"', '"\\"q\\""']));
        const expected = ['a', '"q"'].filter((key) => Object.hasOwn(parsed, key)).map((key) => [key, parsed[key]]);
        expect([...picked].map(([key, raw]) => [JSON.parse(key), JSON.parse(raw)]).sort()).toEqual(expected.sort());
      }),
      { numRuns: 300 },
    );
  });

  it('the otlp attributes of any record are what its JSON line holds, each key once', () => {
    const memory = new MemoryTransport({ capacity: 1 });
    const log = createLogger({ exitFlush: false, name: 'api', transports: [memory] });
    const otlp = httpPreset('otlp')!({ line: (r) => r.json() });
    const own = new Set(['level', 'time', 'msg', 'name', 'pid', 'hostname', 'trace_id', 'span_id', 'trace_flags']);
    // Keys from a small alphabet too, so the child's bindings and the fields often share some.
    const key = fc.oneof(text, fc.constantFrom('a', 'b', 'name', 'pid', '@pid', 'level', 'msg', 'trace_id'));
    const values = fc.dictionary(key, json, { maxKeys: 6 });
    fc.assert(
      fc.property(values, values, text, (bindings, fields, msg) => {
        log.child(bindings).info(fields, msg);
        const record = memory.records()[0]!;
        const body = JSON.parse(otlp.body([record]));
        const logRecord = body.resourceLogs[0].scopeLogs[0].logRecords[0];
        const expected = Object.entries(JSON.parse(record.json()))
          .filter(([name]) => !own.has(name))
          .map(([name, value]) => ({ key: name, value: anyValue(value) }));
        expect(logRecord.attributes).toEqual(expected);
        expect(logRecord.body).toEqual({ stringValue: msg });
      }),
      { numRuns: 300 },
    );
  });
});
