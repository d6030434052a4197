import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createLogger, type LogRecord, MemoryTransport } from '../../../src/index.js';
import { reasonsLogger } from './counting-logger.js';
import { httpPreset } from '../../../src/transports/http/presets/index.js';
import { readBody, closeServersAfterEach } from './receiver.js';

const servers: Server[] = [];
closeServersAfterEach(servers);

async function receiver(respond: (res: ServerResponse, body: string, n: number, req: IncomingMessage) => void) {
  const state = { url: '', requests: 0 };
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    state.requests++;
    respond(res, body, state.requests, req);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return state;
}

/** The `_id`s of a bulk body, in order. */
function bulkIds(body: string): string[] {
  return body
    .split('\n')
    .filter((line) => line.startsWith('{"create"'))
    .map((line) => JSON.parse(line).create._id as string);
}

function bulkAnswer(ids: string[], status: (i: number) => number, key = 'create'): string {
  const items = ids.map((_id, i) => {
    const code = status(i);
    const error = code >= 300 ? { type: 'mapper_parsing_exception', reason: 'x'.repeat(10_000) } : undefined;
    return { [key]: { _index: 'logs', _id, status: code, ...(error ? { error } : {}) } };
  });
  return JSON.stringify({ took: 3, errors: items.some((_, i) => status(i) >= 300), items });
}

function logger(url: string, preset?: string) {
  return reasonsLogger({
    url,
    preset,
    batch: { maxRecords: 1000, intervalMs: 20 },
    retry: { maxAttempts: 2, baseMs: 5, maxMs: 10 },
  });
}

describe('answers past the 4 MiB cap', () => {
  it('a 5 MiB answer: the socket is destroyed mid-answer and the batch is retried, never delivered', async () => {
    let socketsClosed = 0;
    const r = await receiver((res, _body, _n, req) => {
      req.socket.on('close', () => socketsClosed++);
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const more = () => {
        while (sent < 5 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    });
    const { log, reasons } = logger(`${r.url}/ingest`);
    for (let i = 0; i < 10; i++) log.info({ i }, 'answered at length');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(r.requests).toBe(2);
    expect(log.stats()).toMatchObject({ logged: 10, delivered: 0, failed: 10 });
    expect([...reasons][0]).toMatch(/gave up after 2 attempt\(s\): the answer is larger than 4194304 bytes/);
    // Keep-alive connections stay open after an answer read to its end; these were destroyed.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(socketsClosed).toBe(2);
    await log.close();
  });

  it('an endless answer is cut at the cap too, and the batch goes again', async () => {
    let up = false;
    const r = await receiver((res) => {
      if (up) return void res.end();
      res.writeHead(200);
      const chunk = Buffer.alloc(256 * 1024, 'z');
      const more = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', more);
      };
      res.on('close', () => {
        up = true;
      });
      more();
    });
    const { log } = logger(`${r.url}/ingest`);
    log.info('once the answer is sane');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(r.requests).toBe(2);
    expect(log.stats()).toMatchObject({ logged: 1, delivered: 1, failed: 0 });
    await log.close();
  });
});

describe('an elasticsearch answer the preset cannot read is never "delivered"', () => {
  it('a bulk answer cut in half (a proxy that truncates): retried, then failed, not counted delivered', async () => {
    const r = await receiver((res, body) => {
      const answer = bulkAnswer(bulkIds(body), (i) => (i % 2 ? 400 : 201));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(answer.slice(0, answer.length >> 1));
    });
    const { log, reasons } = logger(r.url, 'elasticsearch');
    for (let i = 0; i < 100; i++) log.info({ i }, 'indexed?');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(r.requests).toBe(2);
    expect(log.stats()).toMatchObject({ logged: 100, delivered: 0, failed: 100 });
    expect([...reasons][0]).toMatch(/the bulk answer could not be read: not JSON/);
    await log.close();
  });

  it('an answer over the cap (1,000 items, every odd one refused at length): retried, not delivered', async () => {
    const r = await receiver((res, body) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(bulkAnswer(bulkIds(body), (i) => (i % 2 ? 400 : 201)));
    });
    const { log, reasons } = logger(r.url, 'elasticsearch');
    for (let i = 0; i < 1000; i++) log.info({ i }, 'big answer');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 1000, delivered: 0, failed: 1000 });
    expect([...reasons][0]).toMatch(/larger than 4194304 bytes/);
    await log.close();
  });

  it('more items than records: retried, and the counts still add up (no settlement thrown)', async () => {
    let n = 0;
    const r = await receiver((res, body) => {
      n++;
      const ids = bulkIds(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      // The first answer doubles its items; the second is right.
      res.end(bulkAnswer(n === 1 ? [...ids, ...ids] : ids, () => 201));
    });
    const { log } = logger(r.url, 'elasticsearch');
    const diagnostics: string[] = [];
    log.on('diagnostic', (message: string) => diagnostics.push(message));
    for (let i = 0; i < 50; i++) log.info({ i }, 'counted once');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(r.requests).toBe(2);
    expect(log.stats()).toMatchObject({ logged: 50, delivered: 50, failed: 0, pending: 0 });
    expect(diagnostics).toEqual([]);
    await log.close();
  });

  it('classify: items keyed "index" are read by their status; unknown shapes and counts are retried', async () => {
    const memory = new MemoryTransport();
    const log = createLogger({ exitFlush: false, base: null, transports: [memory] });
    log.info('a');
    log.info('b');
    await log.flush();
    const records = memory.records();
    const es = httpPreset('elasticsearch')!({ line: (r) => r.json() });
    const read = (body: unknown) =>
      es.classify!({ status: 200, headers: {}, body: typeof body === 'string' ? body : JSON.stringify(body) }, records);
    const indexed = read({ errors: true, items: [{ index: { status: 201 } }, { index: { status: 400 } }] });
    expect(indexed).toMatchObject({ kind: 'partial', retry: [] });
    expect([...(indexed as { failed: Map<number, Error> }).failed.keys()]).toEqual([1]);
    expect(read({ errors: false, items: [{ create: { status: 201 } }, { create: { status: 409 } }] })).toEqual({
      kind: 'delivered',
    });
    // errors: false, yet an item says 400: the items are what count.
    expect(read({ errors: false, items: [{ create: { status: 201 } }, { create: { status: 400 } }] })).toMatchObject({
      kind: 'partial',
    });
    for (const unreadable of [
      '{"errors":false,"items":[{"create":{"status":201}}',
      '',
      'OK',
      { errors: false },
      { errors: false, items: [{ create: { status: 201 } }] },
      { errors: false, items: [{ create: { status: 201 } }, { create: {} }] },
      { errors: false, items: [{ create: { status: 201 } }, { create: { status: 201 }, index: { status: 201 } }] },
      { errors: false, items: [{ create: { status: 201 } }, null] },
    ]) {
      expect(read(unreadable), JSON.stringify(unreadable)).toMatchObject({ kind: 'retry' });
    }
    await log.close();
  });
});

describe('an OTLP answer the preset cannot read is never "delivered"', () => {
  it('a 2xx whose body is not the collector’s JSON: retried, then failed; a good answer then delivers', async () => {
    const r = await receiver((res, _body, n) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(n <= 2 ? '<html>gateway says ok</html>' : '{"partialSuccess":{}}');
    });
    const { log, reasons } = logger(`${r.url}/v1/logs`, 'otlp');
    for (let i = 0; i < 10; i++) log.info({ i }, 'exported?');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(r.requests).toBe(2);
    expect(log.stats()).toMatchObject({ logged: 10, delivered: 0, failed: 10 });
    expect([...reasons][0]).toMatch(/the collector answer could not be read: not JSON/);
    log.info('now the collector answers');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 11, delivered: 1, failed: 10 });
    await log.close();
  });

  it('classify: an empty 2xx or {} is delivered; a rejected count that is not a number is retried', () => {
    const otlp = httpPreset('otlp')!({ line: (r) => r.json() });
    const records = [] as LogRecord[];
    const read = (body: string) => otlp.classify!({ status: 200, headers: {}, body }, records);
    expect(read('')).toBeUndefined();
    expect(read('{}')).toBeUndefined();
    expect(read('{"partialSuccess":{"rejectedLogRecords":"x"}}')).toMatchObject({ kind: 'retry' });
  });
});
