import { createServer, type Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createLogger, type Logger, type LogRecord, MemoryTransport } from '../../../src/index.js';
import { otlpPreset } from '../../../src/transports/http/presets/otlp.js';
import generated from '@opentelemetry/otlp-transformer/build/src/generated/root.js';
import { closeServersAfterEach, expectAddsUp, readBody } from './receiver.js';

type AnyJson = Record<string, unknown>;
type LogRecordJson = AnyJson & { body?: { stringValue?: string }; attributes?: { key: string; value: AnyJson }[] };
type Request = { resourceLogs: { resource: AnyJson; scopeLogs: { logRecords: LogRecordJson[] }[] }[] };

const ExportLogsServiceRequest = (
  generated as unknown as {
    opentelemetry: { proto: { collector: { logs: { v1: { ExportLogsServiceRequest: ProtoType } } } } };
  }
).opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
interface ProtoType {
  fromObject(o: unknown): unknown;
  encode(m: unknown): { finish(): Uint8Array };
  decode(b: Uint8Array): unknown;
  toObject(m: unknown, o: unknown): unknown;
}

/**
 * What a collector does with an OTLP/JSON request: ids are hex (16 and 8 bytes, as OTLP's
 * JSON has them, not protobuf's base64) and flags a fixed32, or the whole request is refused
 * (400); the rest is read by the protobuf decoder the OpenTelemetry packages use.
 */
function collectorReads(body: string): Request | string {
  let request: Request;
  try {
    request = JSON.parse(body) as Request;
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  for (const resource of request.resourceLogs) {
    for (const logRecord of resource.scopeLogs.flatMap((s) => s.logRecords)) {
      for (const [field, digits] of [
        ['traceId', 32],
        ['spanId', 16],
      ] as const) {
        const id = logRecord[field];
        if (id !== undefined && !(typeof id === 'string' && new RegExp(`^([0-9a-fA-F]{${digits}})?$`).test(id))) {
          return `invalid ${field} ${JSON.stringify(id)}`;
        }
      }
      const flags = logRecord.flags;
      if (
        flags !== undefined &&
        !(Number.isInteger(flags) && (flags as number) >= 0 && (flags as number) <= 2 ** 32 - 1)
      ) {
        return `invalid flags ${JSON.stringify(flags)}`;
      }
    }
  }
  // The protobuf decoder reads bytes fields as base64: the ids were checked above, and go out of its way.
  const copy = JSON.parse(body, (key, value) => (key === 'traceId' || key === 'spanId' ? undefined : value));
  const message = ExportLogsServiceRequest.fromObject(copy);
  ExportLogsServiceRequest.decode(ExportLogsServiceRequest.encode(message).finish());
  return request;
}

const servers: Server[] = [];
closeServersAfterEach(servers);

interface Collector {
  url: string;
  /** The log records the collector took, in order. */
  taken: LogRecordJson[];
  refused: string[];
}

async function collector(): Promise<Collector> {
  const state: Collector = { url: '', taken: [], refused: [] };
  const server = createServer(async (req, res) => {
    const read = collectorReads(await readBody(req));
    if (typeof read === 'string') {
      state.refused.push(read);
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 3, message: read }));
      return;
    }
    state.taken.push(...read.resourceLogs.flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords)));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1/logs`;
  return state;
}

function otlpLogger(url: string, batch: Record<string, unknown> = {}): Logger {
  return createLogger({
    exitFlush: false,
    base: null,
    router: { health: { failureThreshold: 1_000_000 } },
    transports: [
      {
        type: 'http',
        preset: 'otlp',
        url,
        batch: { maxRecords: 1000, intervalMs: 10, ...batch },
        retry: { maxAttempts: 3, baseMs: 5, maxMs: 20 },
      },
    ],
  });
}

const attributesOf = (r: LogRecordJson) => Object.fromEntries((r.attributes ?? []).map((a) => [a.key, a.value]));

describe('otlp: trace fields a collector would refuse', () => {
  it('a trace_id, span_id or trace_flags no OTLP id is an attribute: no record refused, no field lost', async () => {
    const c = await collector();
    const log = otlpLogger(c.url);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const spanId = '00f067aa0ba902b7';
    log.info({ trace_id: traceId, span_id: spanId, trace_flags: 1 }, 'w3c');
    log.info({ trace_id: '550e8400-e29b-41d4-a716-446655440000' }, 'a uuid');
    log.info({ trace_id: traceId.slice(1), span_id: 'zz0067aa0ba902b7' }, 'a digit short, not hex');
    log.info({ span_id: 12, trace_flags: '01' }, 'a number, a string');
    log.info({ trace_flags: 2 ** 32 }, 'past fixed32');
    log.info({ trace_flags: 1.5, trace_id: null }, 'a fraction, null');
    log.info({ trace_flags: 256 }, 'past a byte');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(c.refused).toEqual([]);
    const stats = log.stats();
    expectAddsUp(stats);
    expect(stats).toMatchObject({ logged: 7, delivered: 7, failed: 0 });
    const byMessage = Object.fromEntries(c.taken.map((r) => [r.body?.stringValue, r]));
    expect(byMessage.w3c).toMatchObject({ traceId, spanId, flags: 1 });
    expect(attributesOf(byMessage.w3c!)).toEqual({});
    expect(attributesOf(byMessage['a uuid']!)).toEqual({
      trace_id: { stringValue: '550e8400-e29b-41d4-a716-446655440000' },
    });
    expect(byMessage['a uuid']!.traceId).toBeUndefined();
    expect(attributesOf(byMessage['a digit short, not hex']!)).toEqual({
      trace_id: { stringValue: traceId.slice(1) },
      span_id: { stringValue: 'zz0067aa0ba902b7' },
    });
    expect(attributesOf(byMessage['a number, a string']!)).toEqual({
      span_id: { intValue: 12 },
      trace_flags: { stringValue: '01' },
    });
    expect(attributesOf(byMessage['past fixed32']!)).toEqual({ trace_flags: { intValue: 2 ** 32 } });
    expect(attributesOf(byMessage['a fraction, null']!)).toEqual({ trace_id: {}, trace_flags: { doubleValue: 1.5 } });
    // LogRecord.flags holds W3C's trace flags in its low byte; the 24 bits above it must be 0 (logs.proto).
    expect(byMessage['past a byte']!.flags).toBeUndefined();
    expect(attributesOf(byMessage['past a byte']!)).toEqual({ trace_flags: { intValue: 256 } });
    await log.close();
  });
});

describe('otlp: a 2xx answer that is no ExportLogsServiceResponse', () => {
  /** A collector that answers `first` to the first request and `{}` (all taken) to the others. */
  async function answering(first: string): Promise<{ url: string; bodies: string[] }> {
    const state = { url: '', bodies: [] as string[] };
    const server = createServer(async (req, res) => {
      state.bodies.push(await readBody(req));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(state.bodies.length === 1 ? first : '{}');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    state.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1/logs`;
    return state;
  }

  it('a rejected count that is no int64, or JSON that is no object, is resent: never taken as a count', async () => {
    for (const first of [
      '{"partialSuccess":{"rejectedLogRecords":1.5}}',
      '{"partialSuccess":{"rejectedLogRecords":true}}',
      '{"partialSuccess":{"rejectedLogRecords":[2]}}',
      '{"partialSuccess":{"rejectedLogRecords":"0x1"}}',
      '{"partialSuccess":"rejected"}',
      '"ok"',
      '[]',
      '42',
    ]) {
      const c = await answering(first);
      const log = otlpLogger(c.url);
      for (let i = 0; i < 4; i++) log.info({ i }, 'taken?');
      expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
      const stats = log.stats();
      expectAddsUp(stats);
      // The first answer says nothing that can be read: the batch goes again, and the second is the word.
      expect(c.bodies, first).toHaveLength(2);
      expect(stats, first).toMatchObject({ logged: 4, delivered: 4, failed: 0, possibleDuplicates: 4 });
      await log.close();
    }
  });

  it('a rejected count as a decimal string, past the batch, or with an errorMessage only, is read', async () => {
    for (const [first, failed, reason] of [
      ['{"partialSuccess":{"rejectedLogRecords":"3","errorMessage":"too old"}}', 3, 'too old'],
      ['{"partialSuccess":{"rejectedLogRecords":"123456789012345678901234567890"}}', 4, 'rejected by the collector'],
      ['{"partialSuccess":{"errorMessage":"a warning, nothing rejected"}}', 0, undefined],
      ['{"partialSuccess":{"rejectedLogRecords":0,"errorMessage":""}}', 0, undefined],
    ] as const) {
      const c = await answering(first);
      const log = otlpLogger(c.url);
      const reasons = new Set<string>();
      log.transports[0]!.on('itemFailed', (_record: unknown, error: Error) => reasons.add(error.message));
      for (let i = 0; i < 4; i++) log.info({ i }, 'taken?');
      expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
      const stats = log.stats();
      expectAddsUp(stats);
      expect(c.bodies, first).toHaveLength(1);
      expect(stats, first).toMatchObject({ logged: 4, delivered: 4 - failed, failed });
      expect([...reasons], first).toEqual(reason === undefined ? [] : [reason]);
      await log.close();
    }
  });
});

describe('otlp: records of one millisecond at an endpoint that keeps one entry per nanosecond and line', () => {
  /**
   * Loki's OTLP endpoint: a stream per resource, the body as the line; an entry with the
   * nanosecond and line of the stream's last entry is a duplicate and dropped (its push is 2xx).
   */
  async function lokiOtlp(): Promise<{ url: string; kept: LogRecordJson[] }> {
    const state = { url: '', kept: [] as LogRecordJson[] };
    const last = new Map<string, string>();
    const server = createServer(async (req, res) => {
      const read = collectorReads(await readBody(req));
      if (typeof read === 'string') {
        res.writeHead(400);
        res.end(read);
        return;
      }
      for (const resource of read.resourceLogs) {
        const stream = JSON.stringify(resource.resource);
        for (const logRecord of resource.scopeLogs.flatMap((s) => s.logRecords)) {
          const entry = `${logRecord.timeUnixNano} ${logRecord.body?.stringValue}`;
          if (last.get(stream) === entry) continue;
          last.set(stream, entry);
          state.kept.push(logRecord);
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    state.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/otlp/v1/logs`;
    return state;
  }

  it('records alike in one millisecond, in one body and across bodies, are each kept: none counted, lost', async () => {
    const loki = await lokiOtlp();
    const log = otlpLogger(loki.url, { maxRecords: 4 });
    const stream = log.stream({ format: 'object' });
    const TIME = 1732780800000;
    // A retry loop's line ten times in one millisecond, then one message with fields that differ.
    for (let i = 0; i < 10; i++) stream.write({ level: 50, time: TIME, msg: 'connect failed' });
    for (let i = 0; i < 5; i++) stream.write({ level: 30, time: TIME + 1, msg: 'login', user: i });
    stream.end();
    await new Promise((resolve) => stream.on('finish', resolve));
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    const stats = log.stats();
    expectAddsUp(stats);
    expect(stats).toMatchObject({ logged: 15, delivered: 15, failed: 0 });
    // Every record counted delivered is one Loki holds.
    expect(loki.kept).toHaveLength(15);
    const times = loki.kept.map((r) => r.timeUnixNano);
    expect(times.slice(0, 3)).toEqual(['1732780800000000000', '1732780800000000001', '1732780800000000002']);
    expect(times[10]).toBe('1732780800001000000');
    expect(new Set(times).size).toBe(15);
    expect(loki.kept.map((r) => r.observedTimeUnixNano)).toEqual(times);
    expect(loki.kept.slice(10).map((r) => attributesOf(r).user)).toEqual([0, 1, 2, 3, 4].map((i) => ({ intValue: i })));
    await log.close();
  });

  it('a batch sent again after an answer that could not be read has the nanoseconds it had', async () => {
    const bodies: string[] = [];
    const server = createServer(async (req, res) => {
      bodies.push(await readBody(req));
      res.end(bodies.length === 1 ? '<html>taken?</html>' : '{}');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const log = otlpLogger(`http://127.0.0.1:${(server.address() as { port: number }).port}/v1/logs`);
    const stream = log.stream({ format: 'object' });
    for (let i = 0; i < 6; i++) stream.write({ level: 30, time: 1732780900000, msg: 'same' });
    stream.end();
    await new Promise((resolve) => stream.on('finish', resolve));
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 6, delivered: 6, failed: 0, possibleDuplicates: 6 });
    const times = (body: string) =>
      (JSON.parse(body) as Request).resourceLogs[0]!.scopeLogs[0]!.logRecords.map((r) => r.timeUnixNano);
    expect(bodies).toHaveLength(2);
    expect(new Set(times(bodies[0]!)).size).toBe(6);
    // The copy is the same entries: an endpoint that drops a copy by nanosecond and line drops them all.
    expect(times(bodies[1]!)).toEqual(times(bodies[0]!));
    await log.close();
  });

  it('any records in any bodies, built again: one nanosecond per record, in its millisecond, the same again', () => {
    const memory = new MemoryTransport({ maxRecords: 1 });
    createLogger({ exitFlush: false, transports: [memory] }).info({ a: 1 }, 'm');
    const base = memory.records()[0]!;
    let run = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(0, 0, 1, 2, 0.5, -1), fc.constantFrom('m', 'n')), { maxLength: 40 }),
        fc.array(fc.nat(40), { maxLength: 5 }),
        (calls, cuts) => {
          // A millisecond of its own per run: the preset remembers the milliseconds it has sent.
          const TIME = 1_800_000_000_000 + 10 * run++;
          const records = calls.map(([offset, msg]): LogRecord => {
            const time = offset < 0 ? -1 : TIME + offset;
            return { ...base, label: base.label, messageKey: base.messageKey, time, msg, json: () => base.json() };
          });
          const bounds = [...new Set([0, ...cuts.map((c) => Math.min(c, records.length)), records.length])].sort(
            (a, b) => a - b,
          );
          const sent = new Map<LogRecord, string>();
          for (let i = 1; i < bounds.length; i++) {
            const batch = records.slice(bounds[i - 1], bounds[i]);
            const times = () =>
              (JSON.parse(otlpPreset.body(batch)) as Request).resourceLogs.flatMap((r) =>
                r.scopeLogs[0]!.logRecords.map((l) => l.timeUnixNano as string),
              );
            const first = times();
            // A resend of the batch, as it is: the same nanoseconds.
            expect(times()).toEqual(first);
            for (const [k, record] of batch.entries()) sent.set(record, first[k]!);
          }
          const whole = records.filter((r) => Number.isInteger(r.time) && r.time > 0);
          for (const record of whole) expect(BigInt(sent.get(record)!) / 1_000_000n).toBe(BigInt(record.time));
          expect(new Set(whole.map((r) => sent.get(r))).size).toBe(whole.length);
          for (const record of records.filter((r) => !whole.includes(r))) {
            expect(sent.get(record)).toBe(record.time < 0 ? '0' : `${record.time * 1e6}`);
          }
          // Batches sent again in other shapes (a batch with later records joined, those of the
          // next batch left out or not; its second half alone): a nanosecond is never another
          // record's, whatever was sent before.
          const owner = new Map<string, LogRecord>();
          for (const record of whole) owner.set(sent.get(record)!, record);
          for (let i = 1; i < bounds.length; i++) {
            const batch = records.slice(bounds[i - 1], bounds[i]);
            const later = [records.slice(bounds[i]), records.slice(bounds[i + 1] ?? records.length)];
            for (const again of [...later.map((rest) => [...batch, ...rest]), batch.slice(batch.length >> 1)]) {
              const { resourceLogs } = JSON.parse(otlpPreset.body(again)) as Request;
              const times = resourceLogs.flatMap((r) => r.scopeLogs[0]!.logRecords);
              for (const [k, record] of again.entries()) {
                if (!whole.includes(record)) continue;
                const time = times[k]!.timeUnixNano as string;
                expect(owner.get(time) ?? record).toBe(record);
                owner.set(time, record);
              }
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('otlp: a name that is no service name', () => {
  it('a record whose name is no string keeps it as an attribute, under unknown_service', async () => {
    const c = await collector();
    const log = otlpLogger(c.url);
    log.info({ name: 42 }, 'a number');
    log.info({ name: { team: 'a' } }, 'an object');
    log.info({ name: null }, 'null');
    log.info({ name: 'api' }, 'a string');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    const stats = log.stats();
    expectAddsUp(stats);
    expect(stats).toMatchObject({ logged: 4, delivered: 4, failed: 0 });
    const byMessage = Object.fromEntries(c.taken.map((r) => [r.body?.stringValue, attributesOf(r)]));
    expect(byMessage).toEqual({
      'a number': { name: { intValue: 42 } },
      'an object': { name: { kvlistValue: { values: [{ key: 'team', value: { stringValue: 'a' } }] } } },
      null: { name: {} },
      'a string': {},
    });
    await log.close();
  });
});

describe('otlp: one record larger than batch.maxBytes', () => {
  it('goes in a request of its own: a collector that refuses its size fails it alone, the rest delivered', async () => {
    const requests: { size: number; records: number }[] = [];
    const server = createServer(async (req, res) => {
      const body = await readBody(req);
      const records = (JSON.parse(body) as Request).resourceLogs.flatMap((r) => r.scopeLogs[0]!.logRecords).length;
      requests.push({ size: Buffer.byteLength(body), records });
      if (Buffer.byteLength(body) > 50_000) {
        res.writeHead(413);
        res.end('request entity too large');
        return;
      }
      collectorReads(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const log = otlpLogger(`http://127.0.0.1:${(server.address() as { port: number }).port}/v1/logs`, {
      maxBytes: 20_000,
    });
    for (let i = 0; i < 20; i++) log.info({ i, pad: 'p'.repeat(100) }, 'small');
    log.info({ huge: 'x'.repeat(200_000) }, 'huge');
    log.info({ quoted: '"\\'.repeat(10_000) }, 'escapes: 20,000 characters of line, 40,000 bytes of body');
    for (let i = 0; i < 20; i++) log.info({ i }, 'small after');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    const stats = log.stats();
    expectAddsUp(stats);
    expect(stats).toMatchObject({ logged: 42, delivered: 41, failed: 1 });
    // A request over the bound holds one record: the huge one (refused) or the escaped one (taken).
    const over = requests.filter((r) => r.size > 20_000);
    expect(over.every((r) => r.records === 1)).toBe(true);
    expect(over.some((r) => r.size > 200_000) && over.some((r) => r.size > 40_000 && r.size < 50_000)).toBe(true);
    await log.close();
  });
});

describe('otlp: a line a hooks.streamWrite hook wrote with spaces', () => {
  it('every field of it is sent, in a body a collector reads', async () => {
    const c = await collector();
    const log = createLogger({
      exitFlush: false,
      base: null,
      // A hook that masks a field as people write it: with a space after the colon.
      hooks: {
        streamWrite: (line) =>
          line.includes('"garbled"')
            ? '{"msg":"garbled", oops}\n'
            : line.replace(/"password":"[^"]*"/, '"password": "***"').replace('"a":', '"a" :'),
      },
      transports: [{ type: 'http', preset: 'otlp', url: c.url, batch: { maxRecords: 100, intervalMs: 10 } }],
    });
    log.info({ user: 'ann', password: 'hunter2', role: 'admin', n: 7 }, 'login');
    log.info({ a: 1, b: [1, 2] }, 'spaced key');
    log.info({ plain: true }, 'as built');
    log.info({ x: 1 }, 'garbled');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(c.refused).toEqual([]);
    const stats = log.stats();
    expectAddsUp(stats);
    expect(stats).toMatchObject({ logged: 4, delivered: 4, failed: 0 });
    const byMessage = Object.fromEntries(c.taken.map((r) => [r.body?.stringValue, attributesOf(r)]));
    expect(byMessage).toEqual({
      login: {
        user: { stringValue: 'ann' },
        password: { stringValue: '***' },
        role: { stringValue: 'admin' },
        n: { intValue: 7 },
      },
      'spaced key': { a: { intValue: 1 }, b: { arrayValue: { values: [{ intValue: 1 }, { intValue: 2 }] } } },
      'as built': { plain: { boolValue: true } },
      // No JSON: the line as the hook gave it, whole.
      // A line that is no JSON is the body as well: what the hook wrote, not the record's message.
      '{"msg":"garbled", oops}': { 'log.record.original': { stringValue: '{"msg":"garbled", oops}' } },
    });
    await log.close();
  });

  it('a message the hook masks is masked in the body too (the body was the message as logged)', async () => {
    const c = await collector();
    const log = createLogger({
      exitFlush: false,
      base: null,
      hooks: { streamWrite: (line) => line.replace(/4111\d{12}/g, '****') },
      transports: [{ type: 'http', preset: 'otlp', url: c.url, batch: { maxRecords: 100, intervalMs: 10 } }],
    });
    log.info({ card: '4111111111111111' }, 'charging card 4111111111111111');
    log.info({ card: '4111111111111112' }, 'charging card 4111111111111112');
    log.info('no card');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(c.taken.map((r) => [r.body?.stringValue, attributesOf(r).card?.stringValue])).toEqual([
      ['charging card ****', '****'],
      ['charging card ****', '****'],
      ['no card', undefined],
    ]);
    await log.close();
  });
});
