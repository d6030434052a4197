import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger, type LogRecord, MemoryTransport, withContext } from '../../../src/index.js';
import { httpPreset } from '../../../src/transports/http/presets/index.js';
import { json, text } from './json-arbitraries.js';

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

/** Trace and span ids, valid or nearly (a digit short, a letter past f, upper case), and flags. */
const ids = fc.oneof(
  fc.constantFrom('4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', '4BF92F3577B34DA6A3CE929D0E0E4736'),
  fc.constantFrom('4bf92f3577b34da6a3ce929d0e0e473', '00f067aa0ba902bg', '', 1, 255, 256, 4294967296, '01', 1.5),
);

const own = new Set(['level', 'time', 'name', 'pid', 'hostname', 'trace_id', 'span_id', 'trace_flags']);

/** Is the value an OTLP id of `digits` hex digits (anything else a collector refuses)? */
const isId = (value: unknown, digits: number) =>
  typeof value === 'string' && new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(value);
/** W3C's trace flags: a byte (LogRecord.flags' 24 bits above it must be 0). */
const isFlags = (value: unknown) => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 255;

/** The attributes and trace ids a record's line holds, read with JSON.parse. */
function expectedOf(record: LogRecord): Record<string, unknown> {
  const parsed = JSON.parse(record.json()) as Record<string, unknown>;
  delete parsed[record.messageKey];
  const attributes = Object.entries(parsed)
    .filter(([name]) => !own.has(name))
    .map(([name, value]) => ({ key: name, value: anyValue(value) }));
  // A name that is no string (no service.name) stays an attribute, after the others; then a
  // trace_id, span_id or trace_flags that is no OTLP id or flags.
  if ('name' in parsed && typeof parsed.name !== 'string')
    attributes.push({ key: 'name', value: anyValue(parsed.name) });
  const valid = { trace_id: isId(parsed.trace_id, 32), span_id: isId(parsed.span_id, 16) };
  for (const [name, ok] of Object.entries({ ...valid, trace_flags: isFlags(parsed.trace_flags) })) {
    if (name in parsed && !ok) attributes.push({ key: name, value: anyValue(parsed[name]) });
  }
  return {
    attributes,
    ...(valid.trace_id ? { traceId: parsed.trace_id } : {}),
    ...(valid.span_id ? { spanId: parsed.span_id } : {}),
  };
}

describe('otlp attributes, against what the line holds', () => {
  const otlp = httpPreset('otlp')!({ line: (r) => r.json() });

  it('the otlp attributes of any record are what its JSON line holds, each key once', () => {
    const memory = new MemoryTransport({ maxRecords: 1 });
    const log = createLogger({ exitFlush: false, name: 'api', transports: [memory] });
    // Keys from a small alphabet too, so the child's bindings and the fields often share some.
    const key = fc.oneof(
      text,
      fc.constantFrom('a', 'b', 'name', 'pid', '@pid', 'level', 'msg', 'trace_id', 'span_id', 'trace_flags'),
    );
    const values = fc.dictionary(key, fc.oneof(json, ids), { maxKeys: 6 });
    fc.assert(
      fc.property(values, values, text, (bindings, fields, msg) => {
        log.child(bindings).info(fields, msg);
        const record = memory.records()[0]!;
        const body = JSON.parse(otlp.body([record]));
        const logRecord = body.resourceLogs[0].scopeLogs[0].logRecords[0];
        expect(logRecord.attributes).toEqual(expectedOf(record).attributes);
        expect(logRecord.body).toEqual({ stringValue: msg });
      }),
      { numRuns: 300 },
    );
  });

  it('records of one logger, any line shape, bindings and context, carry what their lines hold', () => {
    // A small alphabet: bindings, context and fields share keys, and call sites repeat.
    const key = fc.constantFrom(
      'a',
      'b',
      'c',
      'name',
      'pid',
      'level',
      'msg',
      'trace_id',
      'span_id',
      'trace_flags',
      'x"y',
      'z\\',
    );
    const object = fc.dictionary(key, fc.oneof(json, ids), { maxKeys: 4 });
    const call = fc.record({ site: fc.nat(), value: json, context: fc.option(object, { freq: 4 }) });
    fc.assert(
      fc.property(
        object,
        fc.boolean(),
        // Every shape a line can have: where the time is and how, the level as a label, the message key.
        fc.record({
          timestamp: fc.constantFrom('epoch' as const, 'iso' as const, false as const),
          levelFormat: fc.constantFrom('number' as const, 'label' as const),
          messageKey: fc.constantFrom('msg', 'message', 'a'),
        }),
        fc.array(object, { minLength: 1, maxLength: 4 }),
        fc.array(call, { minLength: 1, maxLength: 80 }),
        (bindings, named, shape, sites, calls) => {
          const memory = new MemoryTransport({ maxRecords: 1000 });
          const name = named ? { name: 'api' } : {};
          const log = createLogger({ exitFlush: false, ...name, ...shape, transports: [memory] });
          const child = log.child(bindings);
          for (const { site, value, context } of calls) {
            // The call site's keys, its first key's value changing from call to call (its type too).
            const template = sites[site % sites.length]!;
            const fields = Object.fromEntries(Object.entries(template).map(([k, v], i) => [k, i === 0 ? value : v]));
            if (context === null) child.info(fields, 'm');
            else withContext(context, () => child.info(fields, 'm'));
          }
          const records = memory.records();
          const body = JSON.parse(otlp.body(records));
          // Records are grouped by resource (a record may name its own service): compare as sets.
          const got = body.resourceLogs
            .flatMap((r: { scopeLogs: { logRecords: unknown[] }[] }) => r.scopeLogs[0]!.logRecords)
            .map((r: Record<string, unknown>) => ({
              attributes: r.attributes,
              ...(r.traceId === undefined ? {} : { traceId: r.traceId }),
              ...(r.spanId === undefined ? {} : { spanId: r.spanId }),
            }));
          const sorted = (list: unknown[]) => list.map((x) => JSON.stringify(x)).sort();
          expect(sorted(got)).toEqual(sorted(records.map(expectedOf)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('loggers whose keys come from data, and children per request, send what each line holds', () => {
    const memory = new MemoryTransport({ maxRecords: 2000 });
    const log = createLogger({ exitFlush: false, name: 'api', transports: [memory] });
    // Keys made from data, then one call site repeated, then children per request (one binding
    // repeated by a field: its first place, its last value).
    for (let i = 0; i < 600; i++) log.info({ [`k${i}`]: i, [i % 2 ? 'a' : 'b']: `v${i}` }, 'm');
    for (let i = 0; i < 300; i++) log.info({ user: i, route: '/x' }, 'm');
    for (let i = 0; i < 300; i++) log.child({ reqId: `r${i}` }).info({ user: i, reqId: i % 3 ? 'same' : i }, 'm');
    const records = memory.records();
    const body = JSON.parse(otlp.body(records));
    const got = body.resourceLogs[0].scopeLogs[0].logRecords.map((r: Record<string, unknown>) => ({
      attributes: r.attributes,
    }));
    expect(got).toEqual(records.map(expectedOf));
    expect(got.at(-1).attributes).toEqual([
      { key: 'reqId', value: { stringValue: 'same' } },
      { key: 'user', value: { intValue: 299 } },
    ]);
  });

  it('works from the public record alone: a record that is no internal record gives the same body', () => {
    const memory = new MemoryTransport({ maxRecords: 1 });
    const log = createLogger({ exitFlush: false, name: 'api', messageKey: 'message', transports: [memory] });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    log.child({ reqId: 'r1' }).warn({ userId: 7, trace_id: traceId, nested: { a: [1] } }, 'hello');
    const record = memory.records()[0]!;
    // Only what the LogRecord interface offers, copied onto a plain object.
    const plain: LogRecord = {
      level: record.level,
      label: record.label,
      time: record.time,
      msg: record.msg,
      fields: record.fields,
      messageKey: record.messageKey,
      timestamped: record.timestamped,
      json: () => record.json(),
      toObject: () => record.toObject(),
      view: () => record.view(),
      formatted: (formatter) => formatter.format(plain),
    };
    const body = JSON.parse(otlp.body([plain]));
    const again = JSON.parse(otlp.body([record]));
    // Two records of one millisecond: the later one is sent at the next nanosecond (an endpoint
    // that keeps one entry per nanosecond and line keeps both); all else is the same.
    const times = (b: typeof body) => {
      const logRecord = b.resourceLogs[0].scopeLogs[0].logRecords[0];
      const time = [BigInt(logRecord.timeUnixNano), BigInt(logRecord.observedTimeUnixNano)];
      delete logRecord.timeUnixNano;
      delete logRecord.observedTimeUnixNano;
      return time;
    };
    const [first, second] = [times(body), times(again)];
    expect(second).toEqual([first[0]! + 1n, first[0]! + 1n]);
    expect(first[1]).toBe(first[0]);
    expect(first[0]! / 1_000_000n).toBe(BigInt(record.time));
    expect(again).toEqual(body);
    const resource = body.resourceLogs[0].resource.attributes;
    expect(resource[0]).toEqual({ key: 'service.name', value: { stringValue: 'api' } });
    expect(resource.map((a: { key: string }) => a.key)).toEqual(['service.name', 'process.pid', 'host.name']);
    const logRecord = body.resourceLogs[0].scopeLogs[0].logRecords[0];
    expect(logRecord).toMatchObject({ severityNumber: 13, severityText: 'WARN', body: { stringValue: 'hello' } });
    expect(logRecord.traceId).toBe(traceId);
  });
});
