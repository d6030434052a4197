import { describe, expect, it } from 'vitest';
import { createLogger, type LogRecord, MemoryTransport } from '../../../src/index.js';
import { verdictFor } from '../../../src/transports/http/preset.js';
import { httpPreset } from '../../../src/transports/http/presets/index.js';

const TIME = 1732780800000;

/** Two records as a logger named "api" makes them, at a fixed time. */
async function records(): Promise<LogRecord[]> {
  const memory = new MemoryTransport();
  const log = createLogger({ exitFlush: false, name: 'api', base: { host: 'web-1' }, transports: [memory] });
  const stream = log.stream({ format: 'object' });
  stream.write({ level: 30, time: TIME, msg: 'hello', userId: 7 });
  stream.write({ level: 50, time: TIME + 1, msg: 'failed', trace_id: 'abc', ratio: 0.5 });
  stream.end();
  await new Promise((resolve) => stream.on('finish', resolve));
  return memory.records();
}

const preset = (name: string, options = {}) => httpPreset(name)!({ line: (r) => r.json(), ...options });

describe('preset bodies, against hand-checked payloads', () => {
  it('ndjson joins the lines; json makes an array', async () => {
    const rs = await records();
    expect(preset('ndjson').body(rs)).toBe(
      '{"level":30,"time":1732780800000,"host":"web-1","name":"api","userId":7,"msg":"hello"}\n' +
        '{"level":50,"time":1732780800001,"host":"web-1","name":"api","trace_id":"abc","ratio":0.5,"msg":"failed"}\n',
    );
    expect(JSON.parse(preset('json').body(rs))).toHaveLength(2);
  });

  it('otlp: an ExportLogsServiceRequest with nanosecond strings, severities and typed attributes', async () => {
    const body = JSON.parse(preset('otlp').body(await records()));
    expect(body).toEqual({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] },
          scopeLogs: [
            {
              scope: { name: 'streamlog' },
              logRecords: [
                {
                  timeUnixNano: '1732780800000000000',
                  observedTimeUnixNano: '1732780800000000000',
                  severityNumber: 9,
                  severityText: 'INFO',
                  body: { stringValue: 'hello' },
                  attributes: [
                    { key: 'host', value: { stringValue: 'web-1' } },
                    { key: 'userId', value: { intValue: 7 } },
                  ],
                },
                {
                  timeUnixNano: '1732780800001000000',
                  observedTimeUnixNano: '1732780800001000000',
                  severityNumber: 17,
                  severityText: 'ERROR',
                  body: { stringValue: 'failed' },
                  attributes: [
                    { key: 'host', value: { stringValue: 'web-1' } },
                    { key: 'ratio', value: { doubleValue: 0.5 } },
                    // No OTLP trace id (32 hex digits): an attribute, not a traceId the collector refuses.
                    { key: 'trace_id', value: { stringValue: 'abc' } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
  });

  it('otlp: pid and hostname describe the process, so they go to the resource, not to each record', async () => {
    const memory = new MemoryTransport();
    const base = { pid: 4242, hostname: 'web-1', toString: 'not a method', constructor: 'plain' };
    const log = createLogger({ exitFlush: false, name: 'api', base, transports: [memory] });
    log.info({ userId: 7 }, 'one');
    // A child cannot rebind base keys: the line writes them `@name`, `@pid`, and so does OTLP.
    log.child({ name: 'worker', pid: 'field' }).info('two');
    // A binding named __proto__ (from parsed JSON) is an attribute, and lends no keys to others.
    log.child(JSON.parse('{"__proto__":{"polluted":1}}')).info('three');
    await log.flush();
    const body = JSON.parse(preset('otlp').body(memory.records()));
    expect(body.resourceLogs).toHaveLength(1);
    expect(body.resourceLogs[0].resource).toEqual({
      attributes: [
        { key: 'service.name', value: { stringValue: 'api' } },
        { key: 'process.pid', value: { intValue: 4242 } },
        { key: 'host.name', value: { stringValue: 'web-1' } },
      ],
    });
    const logRecords: { attributes: { key: string }[] }[] = body.resourceLogs[0].scopeLogs[0].logRecords;
    // Bindings named like Object's own members are ordinary attributes.
    expect(logRecords.map((r) => r.attributes.map((a) => a.key))).toEqual([
      ['toString', 'constructor', 'userId'],
      ['toString', 'constructor', '@name', '@pid'],
      ['toString', 'constructor', '__proto__'],
    ]);
  });

  it('otlp: safe integers as intValue numbers; past 2^53 and fractions as doubleValue', async () => {
    const memory = new MemoryTransport();
    const log = createLogger({ exitFlush: false, name: 'api', base: null, transports: [memory] });
    log.info({ small: -3, big: 2 ** 60, huge: 1e300, half: 0.5, inf: Number.POSITIVE_INFINITY, nan: Number.NaN });
    await log.flush();
    const body = preset('otlp').body(memory.records());
    // Read as text: JSON.parse would hide the difference between 7 and "7".
    expect(body).toContain('{"key":"small","value":{"intValue":-3}}');
    expect(body).toContain(`{"key":"big","value":{"doubleValue":${2 ** 60}}}`);
    expect(body).toContain('{"key":"huge","value":{"doubleValue":1e+300}}');
    expect(body).toContain('{"key":"half","value":{"doubleValue":0.5}}');
    const attributes = JSON.parse(body).resourceLogs[0].scopeLogs[0].logRecords[0].attributes;
    expect(attributes.map((a: { key: string }) => a.key)).toEqual(['small', 'big', 'huge', 'half', 'inf', 'nan']);
  });

  it('every preset sends the values as they were at the log call, whatever the caller changes after', async () => {
    const memory = new MemoryTransport();
    const log = createLogger({ exitFlush: false, name: 'api', transports: [memory] });
    const context = { step: 'at-call', nested: { state: 'at-call' } };
    log.info(context, 'first');
    context.step = 'changed-later';
    context.nested.state = 'changed-later';
    await log.flush();
    const options = { labels: ['name'], metadata: ['step'], table: 'logs' };
    for (const name of ['ndjson', 'json', 'otlp', 'loki', 'elasticsearch', 'clickhouse']) {
      const body = preset(name, options).body(memory.records());
      expect(body, name).toContain('at-call');
      expect(body, name).not.toContain('changed-later');
    }
  });

  it('otlp: a configured messageKey and a label level are the body and the severity, not attributes', async () => {
    const memory = new MemoryTransport();
    const log = createLogger({
      exitFlush: false,
      name: 'api',
      base: null,
      messageKey: 'message',
      levelFormat: 'label',
      transports: [memory],
    });
    log.warn({ msg: 'a field now', userId: 7 }, 'the message');
    await log.flush();
    const logRecord = JSON.parse(preset('otlp').body(memory.records())).resourceLogs[0].scopeLogs[0].logRecords[0];
    expect(logRecord.body).toEqual({ stringValue: 'the message' });
    expect(logRecord.severityText).toBe('WARN');
    expect(logRecord.attributes).toEqual([
      { key: 'msg', value: { stringValue: 'a field now' } },
      { key: 'userId', value: { intValue: 7 } },
    ]);
  });

  it('otlp: without a bound name, a record names its service itself, or it is unknown_service', async () => {
    const memory = new MemoryTransport();
    const log = createLogger({ exitFlush: false, base: { hostname: 'web-1' }, transports: [memory] });
    log.info({ name: 'billing', n: 1 }, 'a');
    log.info({ n: 2 }, 'b');
    log.info({ name: 'billing', n: 3 }, 'c');
    await log.flush();
    const body = JSON.parse(preset('otlp').body(memory.records()));
    type Group = {
      resource: { attributes: { value: { stringValue: string } }[] };
      scopeLogs: { logRecords: { body: { stringValue: string } }[] }[];
    };
    const groups = body.resourceLogs.map((r: Group) => [
      r.resource.attributes.map((a) => a.value.stringValue),
      r.scopeLogs[0]!.logRecords.map((l) => l.body.stringValue),
    ]);
    // One group per resource, in the order first seen; each keeps its records' order.
    expect(groups).toEqual([
      [
        ['billing', 'web-1'],
        ['a', 'c'],
      ],
      [['unknown_service', 'web-1'], ['b']],
    ]);
    const first = body.resourceLogs[0].scopeLogs[0].logRecords[0];
    expect(first.attributes.map((a: { key: string }) => a.key)).toEqual(['n']);
  });

  it('otlp: partialSuccess counts rejected records as failed, not retried', async () => {
    const rs = await records();
    const verdict = preset('otlp').classify!(
      { status: 200, headers: {}, body: '{"partialSuccess":{"rejectedLogRecords":"1","errorMessage":"too old"}}' },
      rs,
    );
    expect(verdict).toEqual({ kind: 'partial', failed: new Map([[1, new Error('too old')]]), retry: [] });
    expect(preset('otlp').retryable).toEqual(new Set([429, 502, 503, 504]));
  });

  it('loki: streams by labels, nanosecond strings, the line, structured metadata', async () => {
    const body = JSON.parse(preset('loki', { labels: ['name'], metadata: ['userId'] }).body(await records()));
    expect(body).toEqual({
      streams: [
        {
          stream: { level: 'info', name: 'api' },
          values: [
            [
              '1732780800000000000',
              '{"level":30,"time":1732780800000,"host":"web-1","name":"api","userId":7,"msg":"hello"}',
              { userId: '7' },
            ],
          ],
        },
        {
          stream: { level: 'error', name: 'api' },
          values: [
            [
              '1732780800001000000',
              '{"level":50,"time":1732780800001,"host":"web-1","name":"api",' +
                '"trace_id":"abc","ratio":0.5,"msg":"failed"}',
              {},
            ],
          ],
        },
      ],
    });
  });

  it('elasticsearch: create actions with stable ids; 409 counts as delivered, 429 retried, 400 failed', async () => {
    const rs = await records();
    const es = preset('elasticsearch', { index: 'app-logs' });
    const first = es.body(rs);
    expect(es.body(rs)).toBe(first); // a batch sent again carries the same ids
    const lines = first
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ create: { _index: 'app-logs', _id: expect.stringMatching(/^[\w-]{17,}$/) } });
    // Every record its own id; another transport's ids never meet these.
    const ids = lines.filter((_, i) => i % 2 === 0).map((line) => line.create._id);
    expect(new Set(ids).size).toBe(rs.length);
    const other = preset('elasticsearch', { index: 'app-logs' }).body(rs);
    const otherIds = other
      .trim()
      .split('\n')
      .filter((_, i) => i % 2 === 0)
      .map((line) => JSON.parse(line).create._id);
    expect(otherIds.filter((id) => ids.includes(id))).toEqual([]);
    expect(lines[1]).toMatchObject({ msg: 'hello' });
    expect(es.url!('http://127.0.0.1:9200')).toBe('http://127.0.0.1:9200/_bulk');
    expect(es.url!('http://127.0.0.1:9200/app/')).toBe('http://127.0.0.1:9200/app/_bulk');
    // A query stays the query: `/_bulk` goes at the end of the path, not after the query.
    expect(es.url!('http://127.0.0.1:9200/_bulk?pipeline=logs')).toBe('http://127.0.0.1:9200/_bulk?pipeline=logs');
    expect(es.url!('http://u:p@127.0.0.1:9200/?refresh=wait_for')).toBe(
      'http://u:p@127.0.0.1:9200/_bulk?refresh=wait_for',
    );
    const bulk = { errors: true, items: [{ create: { status: 409 } }, { create: { status: 429 } }] };
    expect(es.classify!({ status: 200, headers: {}, body: JSON.stringify(bulk) }, rs)).toEqual({
      kind: 'partial',
      failed: new Map(),
      retry: [1],
      reason: new Error('429'),
    });
    const refused = {
      errors: true,
      items: [
        { create: { status: 201 } },
        { create: { status: 400, error: { type: 'mapper_parsing_exception', reason: 'bad' } } },
      ],
    };
    const verdict = es.classify!({ status: 200, headers: {}, body: JSON.stringify(refused) }, rs);
    expect(verdict).toMatchObject({ kind: 'partial', retry: [] });
  });

  it('clickhouse: INSERT … FORMAT JSONEachRow, rows by column mapping; exception codes classified', async () => {
    const ch = preset('clickhouse', {
      table: 'logs',
      columns: { ts: 'time', severity: 'level', message: 'msg', user: 'userId' },
    });
    expect(ch.body(await records())).toBe(
      '{"ts":1732780800000,"severity":30,"message":"hello","user":7}\n' +
        '{"ts":1732780800001,"severity":50,"message":"failed"}\n',
    );
    const query = new URL(ch.url!('http://127.0.0.1:8123/')).searchParams.get('query');
    expect(query).toBe('INSERT INTO logs FORMAT JSONEachRow');
    // The deduplication token is a query parameter even when the configured URL ends in a fragment.
    const dedup = preset('clickhouse', { insertDeduplicationToken: true });
    const sent = new URL(dedup.requestUrl!(dedup.url!('http://127.0.0.1:8123/?database=app#ops'), '{"a":1}\n'));
    expect(sent.searchParams.get('insert_deduplication_token')).toMatch(/^[0-9a-f]{32}$/);
    expect(sent.searchParams.get('database')).toBe('app');
    const parse = { status: 500, headers: {}, body: 'Code: 27, e.displayText() = DB::Exception: Cannot parse input' };
    expect(ch.classify!(parse, [])).toMatchObject({ kind: 'bisect' });
    const busy = {
      status: 500,
      headers: {},
      body: 'Code: 202, e.displayText() = DB::Exception: Too many simultaneous queries',
    };
    expect(ch.classify!(busy, [])).toMatchObject({ kind: 'retry' });
  });

  it('generic rules: retry only what can succeed; Retry-After in seconds and as an HTTP date', () => {
    const retryable = new Set([408, 429, 502, 503, 504]);
    const at = (status: number, headers = {}) => verdictFor({ status, headers, body: '' }, retryable).kind;
    expect([200, 204, 408, 429, 500, 502, 413, 400, 422, 401, 403, 404].map((s) => at(s))).toEqual([
      'delivered',
      'delivered',
      'retry',
      'retry',
      'fail',
      'retry',
      'split',
      'bisect',
      'bisect',
      'fail',
      'fail',
      'fail',
    ]);
    expect(verdictFor({ status: 429, headers: { 'retry-after': '3' }, body: '' }, retryable)).toMatchObject({
      retryAfterMs: 3000,
    });
    const date = new Date(Date.now() + 5000).toUTCString();
    const fromDate = verdictFor({ status: 503, headers: { 'retry-after': date }, body: '' }, retryable) as {
      retryAfterMs: number;
    };
    expect(fromDate.retryAfterMs).toBeGreaterThan(3000);
    // Neither seconds nor a date (a fraction, a sign, two numbers): no wait said, so the backoff applies.
    // An ISO date (not HTTP's form, but a date) is still read as one.
    const iso = verdictFor(
      { status: 503, headers: { 'retry-after': new Date(Date.now() + 5000).toISOString() }, body: '' },
      retryable,
    ) as { retryAfterMs: number };
    expect(iso.retryAfterMs).toBeGreaterThan(3000);
    // A date is the server's: measured from the answer's own Date, not this host's clock (an
    // hour ahead, the date looked past and the wait was none; behind, the wait was maxMs).
    for (const skew of [3_600_000, -3_600_000]) {
      const serverNow = Date.now() - skew;
      const skewed = verdictFor(
        {
          status: 503,
          headers: {
            date: new Date(serverNow).toUTCString(),
            'retry-after': new Date(serverNow + 6000).toUTCString(),
          },
          body: '',
        },
        retryable,
      ) as { retryAfterMs: number };
      // HTTP dates are whole seconds: 5 to 7 s.
      expect(skewed.retryAfterMs, String(skew)).toBeGreaterThanOrEqual(5000);
      expect(skewed.retryAfterMs, String(skew)).toBeLessThanOrEqual(7000);
    }
    // An answer's Date that is no date ("0" read as the year 2000 made every wait maxMs): this host's clock serves.
    for (const bogus of ['0', '1', '-1', 'soon']) {
      const withBogusDate = verdictFor(
        { status: 503, headers: { date: bogus, 'retry-after': new Date(Date.now() + 6000).toUTCString() }, body: '' },
        retryable,
      ) as { retryAfterMs: number };
      expect(withBogusDate.retryAfterMs, bogus).toBeLessThanOrEqual(7000);
    }
    for (const garbage of ['1.5', '-1', '+5', '12 13', '1e3', 'soon', '5 seconds']) {
      const verdict = verdictFor({ status: 503, headers: { 'retry-after': garbage }, body: '' }, retryable);
      expect(verdict, garbage).toMatchObject({ kind: 'retry', retryAfterMs: undefined });
    }
    expect(verdictFor({ status: 401, headers: {}, body: '' }, retryable)).toMatchObject({
      kind: 'fail',
      circuit: true,
    });
  });
});

describe('a misbehaving preset', () => {
  it('a body() that throws on one record fails that record (bisected), not the batch forever', async () => {
    const { createServer } = await import('node:http');
    const { registerHttpPreset } = await import('../../../src/index.js');
    const received: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push(...body.trim().split('\n'));
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    registerHttpPreset('fragile', () => ({
      contentType: 'application/x-ndjson',
      body(records) {
        if (records.some((r) => r.msg === 'poison')) throw new Error('cannot encode');
        return records.map((r) => r.json()).join('');
      },
    }));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const log = createLogger({ exitFlush: false, base: null, transports: [{ type: 'http', preset: 'fragile', url }] });
    for (const msg of ['a', 'poison', 'b', 'c']) log.info(msg);
    await log.flush({ timeoutMs: 10_000 });
    expect(received.map((l) => JSON.parse(l).msg).sort()).toEqual(['a', 'b', 'c']);
    expect(log.stats()).toMatchObject({ logged: 4, delivered: 3, failed: 1 });
    await log.close();
    await new Promise((resolve) => server.close(resolve));
  });
});
