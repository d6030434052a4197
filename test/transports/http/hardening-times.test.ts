import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger, type LogRecord, MemoryTransport } from '../../../src/index.js';
import { httpPreset } from '../../../src/transports/http/presets/index.js';
import { unixNanos } from '../../../src/transports/http/presets/unix-nanos.js';

const MAX_U64 = (1n << 64n) - 1n;

/**
 * The reference: a double is Y / 2^k exactly (doubling a non-integer double is exact until
 * it is whole), so its nanoseconds, Y·10^6 / 2^k, round half up in integers.
 */
function expectedNanos(ms: number): string {
  if (!(ms > 0) || ms === Number.POSITIVE_INFINITY) return '0';
  let y = ms;
  let k = 0n;
  while (!Number.isInteger(y)) {
    y *= 2;
    k++;
  }
  const scaled = BigInt(y) * 1_000_000n;
  const nanos = k === 0n ? scaled : (2n * scaled + (1n << k)) / (1n << (k + 1n));
  return (nanos > MAX_U64 ? MAX_U64 : nanos).toString();
}

/** Records with the given times, as `log.stream()` takes them from another process's lines. */
async function recordsAt(times: number[]): Promise<LogRecord[]> {
  const memory = new MemoryTransport();
  const log = createLogger({ exitFlush: false, name: 'api', base: null, transports: [memory] });
  const stream = log.stream({ format: 'object' });
  for (const [i, time] of times.entries()) stream.write({ level: 30, time, msg: `at ${i}` });
  stream.end();
  await new Promise((resolve) => stream.on('finish', resolve));
  return memory.records();
}

const preset = (name: string, options = {}) => httpPreset(name)!({ line: (r) => r.json(), ...options });

describe('unixNanos: epoch milliseconds as a uint64 nanosecond string', () => {
  it('hand-checked values: whole, fractional, a tie, tiny, negative, huge, not finite', () => {
    expect(unixNanos(1732780800000)).toBe('1732780800000000000');
    expect(unixNanos(1700000000000.5)).toBe('1700000000000500000');
    // 122.0703125 ms is 122070312.5 ns exactly: half up.
    expect(unixNanos(122.0703125)).toBe('122070313');
    expect(unixNanos(0.0000004)).toBe('0');
    expect(unixNanos(0.0000006)).toBe('1');
    expect(unixNanos(Number.MIN_VALUE)).toBe('0');
    expect(unixNanos(0)).toBe('0');
    expect(unixNanos(-0)).toBe('0');
    expect(unixNanos(-5)).toBe('0');
    expect(unixNanos(18446744073709)).toBe('18446744073709000000');
    expect(unixNanos(18446744073709.55)).toBe(expectedNanos(18446744073709.55));
    expect(unixNanos(18446744073710)).toBe(MAX_U64.toString());
    expect(unixNanos(1e300)).toBe(MAX_U64.toString());
    expect(unixNanos(Number.MAX_VALUE)).toBe(MAX_U64.toString());
    expect(unixNanos(Number.NaN)).toBe('0');
    expect(unixNanos(Number.POSITIVE_INFINITY)).toBe('0');
    expect(unixNanos(Number.NEGATIVE_INFINITY)).toBe('0');
  });

  it('any number: digits only, at most 2^64 − 1, equal to the exact BigInt rounding', () => {
    const fractional = fc
      .tuple(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.double({ min: 0, max: 1, maxExcluded: true }))
      .map(([whole, fraction]) => whole + fraction);
    const any = fc.oneof(
      fc.double(),
      fractional,
      fc.double({ min: -1e6, max: 1e6 }),
      fc.double({ min: 1.7e13, max: 1.9e13 }),
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
      fc.maxSafeInteger(),
    );
    fc.assert(
      fc.property(any, (ms) => {
        const nanos = unixNanos(ms);
        expect(nanos).toMatch(/^(0|[1-9]\d*)$/);
        expect(BigInt(nanos) <= MAX_U64).toBe(true);
        expect(nanos).toBe(expectedNanos(ms));
      }),
      { numRuns: 10_000 },
    );
  });

  it('otlp and loki bodies: fractional and negative times give valid uint64 strings', async () => {
    const records = await recordsAt([1700000000000.5, -5, 1732780800000]);
    const otlp = JSON.parse(preset('otlp').body(records));
    const logRecords = otlp.resourceLogs[0].scopeLogs[0].logRecords as Record<string, string>[];
    expect(logRecords.map((r) => [r.timeUnixNano, r.observedTimeUnixNano])).toEqual([
      ['1700000000000500000', '1700000000000500000'],
      ['0', '0'],
      ['1732780800000000000', '1732780800000000000'],
    ]);
    const loki = JSON.parse(preset('loki', { labels: ['name'] }).body(records));
    expect(loki.streams[0].values.map((entry: string[]) => entry[0])).toEqual([
      '1700000000000500000',
      '0',
      '1732780800000000000',
    ]);
  });
});

describe('elasticsearch and opensearch documents carry @timestamp', () => {
  it('golden body: @timestamp (ISO 8601) first, then the record line as it is', async () => {
    const memory = new MemoryTransport();
    const log = createLogger({ exitFlush: false, name: 'api', base: { host: 'web-1' }, transports: [memory] });
    const stream = log.stream({ format: 'object' });
    stream.write({ level: 30, time: 1732780800000, msg: 'hello', userId: 7 });
    stream.write({ level: 50, time: 1732780800001.75, msg: 'failed' });
    stream.end();
    await new Promise((resolve) => stream.on('finish', resolve));
    for (const name of ['elasticsearch', 'opensearch']) {
      const body = preset(name, { index: 'app-logs' }).body(memory.records());
      const lines = body.split('\n');
      expect(lines).toHaveLength(5);
      expect(lines[0]).toMatch(/^\{"create":\{"_index":"app-logs","_id":"[\w-]+"\}\}$/);
      expect(lines[1]).toBe(
        '{"@timestamp":"2024-11-28T08:00:00.000Z","level":30,"time":1732780800000,"host":"web-1","name":"api",' +
          '"userId":7,"msg":"hello"}',
      );
      expect(lines[3]).toBe(
        '{"@timestamp":"2024-11-28T08:00:00.001Z","level":50,"time":1732780800001.75,"host":"web-1","name":"api",' +
          '"msg":"failed"}',
      );
      expect(lines[4]).toBe('');
    }
  });

  it('with an iso time, timestamp: false, or a record of its own @timestamp; a time no Date holds', async () => {
    const memory = new MemoryTransport();
    const iso = createLogger({ exitFlush: false, base: null, timestamp: 'iso', transports: [memory] });
    iso.info('iso');
    const none = createLogger({ exitFlush: false, base: null, timestamp: false, transports: [memory] });
    none.info('untimed');
    none.info({ '@timestamp': '2020-01-01T00:00:00Z' }, 'its own');
    await iso.flush();
    await none.flush();
    const records = memory.records();
    const docs = preset('elasticsearch')
      .body(records)
      .trim()
      .split('\n')
      .filter((_, i) => i % 2 === 1)
      .map((line) => JSON.parse(line));
    expect(docs[0]['@timestamp']).toBe(new Date(records[0]!.time).toISOString());
    expect(docs[1]['@timestamp']).toBe(new Date(records[1]!.time).toISOString());
    expect(docs[1]).not.toHaveProperty('time');
    // Its own field is kept, not doubled (a duplicate key is a parse error in Elasticsearch).
    expect(
      preset('elasticsearch')
        .body([records[2]!])
        .match(/"@timestamp"/g),
    ).toHaveLength(1);
    expect(docs[2]['@timestamp']).toBe('2020-01-01T00:00:00Z');
    // log.stream() keeps times within a Date's range; a record made elsewhere may not.
    const far = { time: 1e300, json: () => '{"level":30,"time":1e300,"msg":"far"}\n' } as unknown as LogRecord;
    expect(preset('elasticsearch').body([far]).split('\n')[1]).toBe('{"level":30,"time":1e300,"msg":"far"}');
  });

  it('a year outside 0000-9999 gets no @timestamp: the default date format takes four-digit years only', () => {
    // Elasticsearch's strict_date_optional_time refuses "+010000-01-01T…" and "-000001-12-31T…"
    // (mapper_parsing_exception: the record failed), and dynamic mapping would type a new
    // index's @timestamp as text from such a first document.
    const at = (time: number) =>
      ({ time, json: () => `{"level":30,"time":${time},"msg":"t"}\n` }) as unknown as LogRecord;
    const times = [253402300799999, 253402300800000, -62167219200000, -62167219200001];
    const docs = preset('elasticsearch')
      .body(times.map(at))
      .trim()
      .split('\n')
      .filter((_, i) => i % 2 === 1)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(docs.map((doc) => doc['@timestamp'])).toEqual([
      '9999-12-31T23:59:59.999Z',
      undefined,
      '0000-01-01T00:00:00.000Z',
      undefined,
    ]);
    expect(docs.map((doc) => doc.time)).toEqual(times);
  });
});
