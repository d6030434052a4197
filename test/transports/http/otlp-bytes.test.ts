import { createServer, type Server } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, type Logger, type LogRecord, MemoryTransport, registerHttpPreset } from '../../../src/index.js';
import { otlpPreset } from '../../../src/transports/http/presets/otlp.js';
import { json, text } from './json-arbitraries.js';
import { readBody } from './receiver.js';

// The otlp body is written as UTF-8 bytes straight from each record's line (bodyUtf8).

type Body = { resourceLogs: { resource: unknown; scopeLogs: { logRecords: Record<string, unknown>[] }[] }[] };

function parse(bytes: Uint8Array): Body {
  // Decoded strictly: a byte sequence that is not UTF-8 fails here instead of turning into U+FFFD.
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Body;
}

function logRecords(body: Body): Record<string, unknown>[] {
  return body.resourceLogs.flatMap((r) => r.scopeLogs[0]!.logRecords);
}

function logged(write: (log: Logger) => void, options = {}): LogRecord[] {
  const memory = new MemoryTransport({ maxRecords: 10_000 });
  const log = createLogger({ exitFlush: false, name: 'api', ...options, transports: [memory] });
  write(log);
  return memory.records();
}

describe('otlp bodyUtf8', () => {
  it('is the UTF-8 of body, and valid JSON holding each field, for hostile keys and values in any script', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.dictionary(text, json, { maxKeys: 5 }), text), { maxLength: 6 }), (calls) => {
        const records = logged((log) => {
          for (const [fields, msg] of calls) log.info(fields, msg);
        });
        const bytes = otlpPreset.bodyUtf8!(records);
        expect(Buffer.from(bytes).equals(Buffer.from(otlpPreset.body(records)))).toBe(true);
        const got = logRecords(parse(bytes));
        expect(got).toHaveLength(records.length);
        got.forEach((logRecord, i) => {
          const line = JSON.parse(records[i]!.json()) as Record<string, unknown>;
          const keys = (logRecord.attributes as { key: string }[]).map((a) => a.key);
          const own = ['level', 'time', 'name', 'pid', 'hostname', 'msg', 'trace_id', 'span_id', 'trace_flags'];
          expect(keys).toEqual(Object.keys(line).filter((key) => !own.includes(key)));
          expect(logRecord.body).toEqual({ stringValue: calls[i]![1] });
        });
      }),
      { numRuns: 200 },
    );
  });

  it("sends a record whose line is no JSON (a preset caller's own record) whole, as log.record.original", () => {
    const [record] = logged((log) => log.info({ x: 1 }, 'garbled'));
    // Besides a hooks.streamWrite line in braces that is no JSON (see otlp-collector.test.ts),
    // a caller of the preset with records of its own can hand it anything.
    const odd = Object.create(record!, { json: { value: () => '{"msg":"garbled", oops}\n' } }) as LogRecord;
    const [logRecord] = logRecords(parse(otlpPreset.bodyUtf8!([odd])));
    expect(logRecord!.attributes).toEqual([
      { key: 'log.record.original', value: { stringValue: '{"msg":"garbled", oops}' } },
    ]);
    // The body is what the line holds, the whole text, not the record's message.
    expect(logRecord!.body).toEqual({ stringValue: '{"msg":"garbled", oops}' });
  });

  it('a line that a hooks.streamWrite took the message out of has an empty body, not the message', () => {
    const records = logged((log) => log.info({ card: 'ok' }, 'card 4111 1111 1111 1111'), {
      hooks: { streamWrite: (line: string) => line.replace(/,"msg":"[^"]*"/, '') },
    });
    expect(records[0]!.json()).not.toContain('4111');
    const [logRecord] = logRecords(parse(otlpPreset.bodyUtf8!(records)));
    // Was the record's message, the card number in it.
    expect(JSON.stringify(logRecord)).not.toContain('4111');
    expect(logRecord!.body).toEqual({ stringValue: '' });
  });

  it('copies non-ASCII keys, values and messages byte for byte', () => {
    const records = logged((log) =>
      log.warn({ 'clé ü': 'naïve café ✓ 日本語 😀', 日本: ['ü', { ß: 'ẞ' }] }, 'größe 📦'),
    );
    const logRecord = logRecords(parse(otlpPreset.bodyUtf8!(records)))[0]!;
    expect(logRecord.body).toEqual({ stringValue: 'größe 📦' });
    expect(logRecord.attributes).toEqual([
      { key: 'clé ü', value: { stringValue: 'naïve café ✓ 日本語 😀' } },
      {
        key: '日本',
        value: {
          arrayValue: {
            values: [{ stringValue: 'ü' }, { kvlistValue: { values: [{ key: 'ß', value: { stringValue: 'ẞ' } }] } }],
          },
        },
      },
    ]);
  });

  it('sends a key a line repeats once, at its first place with its last value, among many keys too', () => {
    const bindings = Object.fromEntries([...Array(40).keys()].map((i) => [`k${i}`, i]));
    const records = logged((log) => {
      log.child(bindings).info({ k38: 'last', k1: 'last' }, 'many');
      log.child({ k1: 'bound' }).info({ k0: 0, k1: 1 }, 'few');
    });
    const [many, few] = logRecords(parse(otlpPreset.bodyUtf8!(records)));
    const attributes = (r: Record<string, unknown>) => r.attributes as { key: string; value: unknown }[];
    expect(attributes(many!).map((a) => a.key)).toEqual(Object.keys(bindings));
    expect(attributes(many!)[38]!.value).toEqual({ stringValue: 'last' });
    expect(attributes(many!)[1]!.value).toEqual({ stringValue: 'last' });
    expect(attributes(few!)).toEqual([
      { key: 'k1', value: { intValue: 1 } },
      { key: 'k0', value: { intValue: 0 } },
    ]);
  });

  it('gives each record of one body its own time, level and message, fractional and negative times too', () => {
    const records = logged((log) => {
      log.info('a');
      log.error('b');
      log.error('b');
    });
    // The public record alone: times a producer's lines may carry.
    const at = (record: LogRecord, time: number, msg: string): LogRecord => ({
      ...record,
      label: record.label,
      messageKey: record.messageKey,
      timestamped: true,
      time,
      msg,
      // The body is the line's message (as a hooks.streamWrite left it), so the line says it too.
      json: () => record.json().replace(/"msg":"[^"]*"/, `"msg":${JSON.stringify(msg)}`),
    });
    const body = [
      at(records[0]!, 1.5, 'a'),
      at(records[1]!, 1.5, 'b'),
      at(records[2]!, -5, 'b'),
      at(records[0]!, 1_700_000_000_000.25, 'c'),
      at(records[0]!, Number.NaN, 'c'),
    ];
    const got = logRecords(parse(otlpPreset.bodyUtf8!(body)));
    expect(got.map((r) => r.timeUnixNano)).toEqual(['1500000', '1500000', '0', '1700000000000250000', '0']);
    expect(got.map((r) => r.observedTimeUnixNano)).toEqual(got.map((r) => r.timeUnixNano));
    expect(got.map((r) => r.severityText)).toEqual(['INFO', 'ERROR', 'ERROR', 'INFO', 'INFO']);
    expect(got.map((r) => (r.body as { stringValue: string }).stringValue)).toEqual(['a', 'b', 'b', 'c', 'c']);
  });

  it('groups records of several resources in order, and a body far larger than the last one is whole', () => {
    const small = logged((log) => log.info('s'));
    otlpPreset.bodyUtf8!(small);
    // Three services' records, interleaved.
    const byName = ['a', 'b', 'ü'].map((name, g) =>
      logged(
        (log) => {
          for (let i = g; i < 40; i += 3) log.info({ i, big: 'x'.repeat(i % 7 === 0 ? 20_000 : 3) }, `m${i}`);
        },
        { name },
      ),
    );
    const records = [...Array(40).keys()].map((i) => byName[i % 3]![Math.floor(i / 3)]!);
    const bytes = otlpPreset.bodyUtf8!(records);
    const body = parse(bytes);
    const names = body.resourceLogs.map(
      (r) => (r.resource as { attributes: { value: { stringValue: string } }[] }).attributes[0]!.value.stringValue,
    );
    expect(names).toEqual(['a', 'b', 'ü']);
    body.resourceLogs.forEach((resource, g) => {
      const is = resource.scopeLogs[0]!.logRecords.map((r) => (r.attributes as { value: { intValue: number } }[])[0]!);
      expect(is.map((v) => v.value.intValue)).toEqual([...Array(40).keys()].filter((i) => i % 3 === g));
    });
    expect(Buffer.from(bytes).toString()).toBe(otlpPreset.body(records));
  });

  it('after a body of one huge record, a body of many small ones starts at a bounded buffer', () => {
    otlpPreset.bodyUtf8!(logged((log) => log.info({ huge: 'x'.repeat(2_000_000) }, 'h')));
    const records = logged((log) => {
      for (let i = 0; i < 1000; i++) log.info({ i }, 's');
    });
    const bytes = otlpPreset.bodyUtf8!(records);
    expect(bytes.buffer.byteLength).toBeLessThanOrEqual(8 * 1024 * 1024);
    expect(logRecords(parse(bytes))).toHaveLength(1000);
  });

  it('a line of tiny fields that grow most in the body (0, null, true, own keys no ids; [] and {}) is whole', () => {
    // Each LogRecord's room is asked for once from its line's length: `"a":0,` (6 bytes) is
    // `{"key":"a","value":{"intValue":0}},` (35) in the body. (A nested value asks again.)
    // Printable ASCII keys but digits (an object has those first) and the two a JSON string escapes.
    const singles = [...Array(94).keys()].map((i) => String.fromCharCode(33 + i)).filter((k) => !/["\\0-9]/.test(k));
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const keys = [...singles, ...[...letters].flatMap((a) => [...letters].map((b) => a + b))];
    const values = [0, null, true, 1, false];
    const fields = Object.fromEntries(keys.map((key, i) => [key, values[i % values.length]]));
    // Own keys whose values are no OTLP ids nor flags: attributes, after the line's own.
    const own = { name: 0, trace_id: 1, span_id: null, trace_flags: 'x' };
    const nested = { a: [], b: {}, c: [[]], d: [{}], e: 0 };
    otlpPreset.bodyUtf8!(logged((log) => log.info('small')));
    // Every value a double: each attribute the longest it can be beyond its key and value.
    const doubles = Object.fromEntries(keys.map((key) => [key, 0.5]));
    const [first, ...records] = logged((log) => {
      log.info(doubles, '');
      log.child(own).info(fields, '');
      log.info(nested, '');
      log.child(own).info(fields, 'again');
    });
    const alone = logRecords(parse(otlpPreset.bodyUtf8!([first!])))[0]!;
    expect((alone.attributes as unknown[]).length).toBe(keys.length);
    expect((alone.attributes as unknown[])[keys.length - 1]).toEqual({ key: 'zz', value: { doubleValue: 0.5 } });
    const bytes = otlpPreset.bodyUtf8!(records);
    const got = logRecords(parse(bytes));
    expect(got).toHaveLength(3);
    const attributes = (r: Record<string, unknown>) => r.attributes as { key: string; value: unknown }[];
    // The line's keys in its order (a child's `name` that is no string comes as `@name`), then own keys no ids.
    const lineKeys = Object.keys(JSON.parse(records[0]!.json()) as object);
    const ownKeys = ['level', 'time', 'pid', 'hostname', 'msg', ...Object.keys(own)];
    const expected = [...lineKeys.filter((key) => !ownKeys.includes(key)), ...Object.keys(own).slice(1)];
    expect(expected).toContain('zz');
    expect(attributes(got[0]!).map((a) => a.key)).toEqual(expected);
    expect(attributes(got[2]!)).toEqual(attributes(got[0]!));
    // After `@name`: the first fields, one of each value.
    expect(
      attributes(got[0]!)
        .slice(1, 6)
        .map((a) => a.value),
    ).toEqual([{ intValue: 0 }, {}, { boolValue: true }, { intValue: 1 }, { boolValue: false }]);
    expect(attributes(got[1]!)).toEqual([
      { key: 'a', value: { arrayValue: { values: [] } } },
      { key: 'b', value: { kvlistValue: { values: [] } } },
      { key: 'c', value: { arrayValue: { values: [{ arrayValue: { values: [] } }] } } },
      { key: 'd', value: { arrayValue: { values: [{ kvlistValue: { values: [] } }] } } },
      { key: 'e', value: { intValue: 0 } },
    ]);
    expect(Buffer.from(bytes).toString()).toBe(otlpPreset.body(records));
  });

  it('a record of 8 MB, with a nested value or not: its body is in a buffer about its size, not 8 times it', () => {
    const records = logged((log) => {
      log.info('small');
      log.info({ big: 'x'.repeat(8_000_000) }, 'big');
      log.info({ big: 'x'.repeat(8_000_000), nested: [1, { a: 'y'.repeat(1_000_000) }] }, 'nested');
    });
    for (const record of records.slice(1)) {
      otlpPreset.bodyUtf8!(records.slice(0, 1));
      const bytes = otlpPreset.bodyUtf8!([record]);
      expect(logRecords(parse(bytes))).toHaveLength(1);
      // Its room is asked for as it is written: at most twice what it holds.
      expect(bytes.buffer.byteLength).toBeLessThanOrEqual(2 * bytes.length + 4096);
    }
  });

  it('more than a thousand records of one millisecond: each at its own nanosecond, counted on past 999', async () => {
    const TIME = 1_750_000_000_123;
    const memory = new MemoryTransport({ maxRecords: 3000 });
    const log = createLogger({ exitFlush: false, name: 'api', base: null, transports: [memory] });
    const stream = log.stream({ format: 'object' });
    for (let i = 0; i < 2500; i++) stream.write({ level: 30, time: TIME, msg: 'burst', i });
    stream.end();
    await new Promise((resolve) => stream.on('finish', resolve));
    const records = memory.records();
    // One body of the first 1,200, then one of the rest: the second goes on where the first ended.
    const got = [records.slice(0, 1200), records.slice(1200)].flatMap((batch) =>
      logRecords(parse(otlpPreset.bodyUtf8!(batch))),
    );
    const expected = [...Array(2500).keys()].map((i) => String(BigInt(TIME) * 1_000_000n + BigInt(i)));
    expect(got.map((r) => r.timeUnixNano)).toEqual(expected);
    expect(got.map((r) => r.observedTimeUnixNano)).toEqual(expected);
  });
});

describe('a preset with bodyUtf8, over http', () => {
  let server: Server;
  let url = '';
  const bodies: string[] = [];
  beforeAll(async () => {
    server = createServer(async (req, res) => {
      bodies.push(await readBody(req));
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('is sent its bytes; a preset with body alone is sent its string', async () => {
    registerHttpPreset('test-bytes', () => ({
      contentType: 'text/plain',
      body: () => 'from body',
      bodyUtf8: (records) => Buffer.from(`bytes of ${records.length}: ✓`),
    }));
    registerHttpPreset('test-string', () => ({
      contentType: 'text/plain',
      body: (records) => `string ${records.length}`,
    }));
    for (const preset of ['test-bytes', 'test-string']) {
      const log = createLogger({ exitFlush: false, transports: [{ type: 'http', url, preset }] });
      log.info('one');
      log.info('two');
      expect(await log.flush({ timeoutMs: 5000 })).toBe(true);
      expect(log.stats()).toMatchObject({ delivered: 2, failed: 0 });
      await log.close();
    }
    expect(bodies).toEqual(['bytes of 2: ✓', 'string 2']);
  });
});
