import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { BatchTransport, createLogger, type HttpStats, type LogRecord } from '../../../src/index.js';
import { countingLogger } from './counting-logger.js';
import { readBody, closeServersAfterEach } from './receiver.js';

const servers: Server[] = [];
closeServersAfterEach(servers);

interface Answer {
  status: number;
  body?: string;
}

/** A receiver on 127.0.0.1 that counts requests and takes the `i` of every line of a 2xx. */
async function receiver(decide: (ids: number[], bytes: number) => Answer) {
  const state = { url: '', requests: 0, sizes: [] as number[], received: [] as number[] };
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    state.requests++;
    const ids = body
      .split('\n')
      .filter((line) => line.startsWith('{"level"'))
      .map((line) => (JSON.parse(line) as { i: number }).i);
    state.sizes.push(ids.length);
    const answer = decide(ids, Buffer.byteLength(body));
    if (answer.status < 300) state.received.push(...ids);
    res.writeHead(answer.status);
    res.end(answer.body ?? '');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/ingest`;
  return state;
}

/** An http logger with a dead letter; batches of `maxRecords`, cut by count. */
function httpLogger(url: string, options: { maxRecords?: number; concurrency?: number; preset?: string } = {}) {
  const { log, dead } = countingLogger('bisect', {
    url,
    preset: options.preset,
    concurrency: options.concurrency ?? 2,
    batch: { maxRecords: options.maxRecords ?? 1000, maxBytes: '64MB', intervalMs: 50 },
    retry: { maxAttempts: 3, baseMs: 5, maxMs: 20 },
  });
  const deadIds = () => dead().map((entry) => entry.record.i as number);
  return { log, deadIds };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('bisection is bounded: a batch refused whole fails at once', () => {
  it('400 to everything: at most 6 requests a batch of 1,000 (3 alone refused), all dead-lettered', async () => {
    const r = await receiver(() => ({ status: 400, body: 'bad request' }));
    const { log, deadIds } = httpLogger(r.url);
    for (const i of range(4000)) log.info({ i }, 'refused');
    expect(await log.flush({ timeoutMs: 20_000 })).toBe(true);
    // Was 2N − 1 = 1,999 requests per batch, each record sent about 11 times.
    expect(r.requests).toBeLessThanOrEqual(4 * 6);
    expect(r.sizes.filter((n) => n === 1)).toHaveLength(4 * 3);
    const stats = log.stats();
    expect(stats).toMatchObject({ logged: 4000, delivered: 0, failed: 4000, pending: 0 });
    await log.close();
    expect(deadIds().sort((a, b) => a - b)).toEqual(range(4000));
    const http = log.stats().targets[0] as unknown as HttpStats;
    expect(http.splits).toBe(4);
    expect(log.stats().targets[0]!.lastError).toMatch(
      /HTTP 400: bad request \(even one record alone: the batch of 1000 failed\)/,
    );
  });

  it('413 to everything: the smallest record alone is refused too, so the batch fails (4 requests each)', async () => {
    const r = await receiver(() => ({ status: 413 }));
    const { log, deadIds } = httpLogger(r.url, { concurrency: 4 });
    for (const i of range(3000)) log.info({ i }, 'too large, always');
    expect(await log.flush({ timeoutMs: 20_000 })).toBe(true);
    expect(r.requests).toBeLessThanOrEqual(3 * 4);
    expect(r.sizes.filter((n) => n === 1)).toHaveLength(3);
    expect(log.stats()).toMatchObject({ logged: 3000, delivered: 0, failed: 3000, pending: 0 });
    await log.close();
    expect(deadIds()).toHaveLength(3000);
  });

  it('one poison record among 1,000: isolated in about 2·log2(n) requests, the other 999 delivered', async () => {
    const r = await receiver((ids) => (ids.includes(613) ? { status: 400, body: 'poison' } : { status: 200 }));
    const { log, deadIds } = httpLogger(r.url);
    for (const i of range(1000)) log.info({ i }, 'one bad apple');
    expect(await log.flush({ timeoutMs: 20_000 })).toBe(true);
    expect(r.requests).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(1000)));
    expect(log.stats()).toMatchObject({ logged: 1000, delivered: 999, failed: 1 });
    expect(new Set(r.received).size).toBe(999);
    await log.close();
    expect(deadIds()).toEqual([613]);
  });

  it('a poison record in each of four batches: each isolated, every other record delivered once', async () => {
    const poison = new Set([5, 1500, 2999, 3001]);
    const r = await receiver((ids) => (ids.some((i) => poison.has(i)) ? { status: 422 } : { status: 200 }));
    const { log } = httpLogger(r.url);
    for (const i of range(4000)) log.info({ i }, 'mostly fine');
    expect(await log.flush({ timeoutMs: 20_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 4000, delivered: 3996, failed: 4 });
    expect(r.received).toHaveLength(3996);
    await log.close();
  });

  it('a poison record in each half of a batch of 1,000: both isolated, the other 998 delivered once', async () => {
    const poison = new Set([100, 900]);
    const r = await receiver((ids) =>
      ids.some((i) => poison.has(i)) ? { status: 400, body: 'poison' } : { status: 200 },
    );
    const { log, deadIds } = httpLogger(r.url);
    for (const i of range(1000)) log.info({ i }, 'two bad apples');
    expect(await log.flush({ timeoutMs: 20_000 })).toBe(true);
    // Was 3 requests and all 1,000 failed: both halves refused alike read as the batch's fault.
    expect(log.stats()).toMatchObject({ logged: 1000, delivered: 998, failed: 2, pending: 0 });
    expect(r.received.sort((a, b) => a - b)).toEqual(range(1000).filter((i) => !poison.has(i)));
    expect(r.requests).toBeLessThanOrEqual(2 + 4 * Math.ceil(Math.log2(1000)));
    await log.close();
    expect(deadIds().sort((a, b) => a - b)).toEqual([100, 900]);
  });

  it('read back from the spool after an outage, poison in both halves: bisected, the rest delivered', async () => {
    const poison = new Set([10, 290]);
    let up = false;
    const r = await receiver((ids) => {
      if (!up) return { status: 503 };
      return ids.some((i) => poison.has(i)) ? { status: 400, body: 'poison' } : { status: 200 };
    });
    const spool = mkdtempSync(join(tmpdir(), 'streamlog-bisect-spool-'));
    const { log, dead } = countingLogger('bisect-spool', {
      url: r.url,
      preset: 'ndjson',
      batch: { maxRecords: 300, intervalMs: 10 },
      retry: { maxAttempts: 1, baseMs: 5, maxMs: 10 },
      spool: { dir: spool },
    });
    for (const i of range(300)) log.info({ i }, 'parked, then read back');
    await vi.waitFor(() => expect(log.stats().pendingDetail.spooled).toBe(300), { timeout: 10_000 });
    up = true;
    await vi.waitFor(() => expect(log.stats().pending).toBe(0), { timeout: 20_000 });
    expect(log.stats()).toMatchObject({ logged: 300, delivered: 298, failed: 2 });
    expect(r.received.sort((a, b) => a - b)).toEqual(range(300).filter((i) => !poison.has(i)));
    await log.close();
    expect(
      dead()
        .map((entry) => entry.record.i as number)
        .sort((a, b) => a - b),
    ).toEqual([10, 290]);
  });

  it('poison scattered (one record in ten): every good record delivered, each bad one failed', async () => {
    const isPoison = (i: number) => i % 10 === 3;
    const r = await receiver((ids) => (ids.some(isPoison) ? { status: 422 } : { status: 200 }));
    const { log, deadIds } = httpLogger(r.url, { maxRecords: 200 });
    for (const i of range(200)) log.info({ i }, 'many bad apples');
    expect(await log.flush({ timeoutMs: 20_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 200, delivered: 180, failed: 20, pending: 0 });
    expect(r.received.sort((a, b) => a - b)).toEqual(range(200).filter((i) => !isPoison(i)));
    await log.close();
    expect(deadIds().sort((a, b) => a - b)).toEqual(range(200).filter(isPoison));
  });

  it('first record poison, another in the other half: one refused alone proves nothing, 998 delivered', async () => {
    const poison = new Set([0, 600]);
    const r = await receiver((ids) =>
      ids.some((i) => poison.has(i)) ? { status: 400, body: 'poison' } : { status: 200 },
    );
    const { log, deadIds } = httpLogger(r.url, { concurrency: 1 });
    for (const i of range(1000)) log.info({ i }, 'bad apple first');
    expect(await log.flush({ timeoutMs: 20_000 })).toBe(true);
    // Was 4 requests and all 1,000 failed: record 0, refused alone, read as the batch refused whole.
    expect(log.stats()).toMatchObject({ logged: 1000, delivered: 998, failed: 2, pending: 0 });
    expect(r.received.sort((a, b) => a - b)).toEqual(range(1000).filter((i) => !poison.has(i)));
    await log.close();
    expect(deadIds().sort((a, b) => a - b)).toEqual([0, 600]);
  });

  it('poison scattered (every tenth record from the first): every good record delivered', async () => {
    const isPoison = (i: number) => i % 10 === 0;
    const r = await receiver((ids) => (ids.some(isPoison) ? { status: 422 } : { status: 200 }));
    const { log, deadIds } = httpLogger(r.url, { maxRecords: 200 });
    for (const i of range(200)) log.info({ i }, 'many bad apples');
    expect(await log.flush({ timeoutMs: 20_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 200, delivered: 180, failed: 20, pending: 0 });
    await log.close();
    expect(deadIds().sort((a, b) => a - b)).toEqual(range(200).filter(isPoison));
  });

  it('a batch five times too large arrives whole: 413 on both halves tries one record, then halves on', async () => {
    const r = await receiver((_ids, bytes) => (bytes > 12_000 ? { status: 413 } : { status: 200 }));
    const { log } = httpLogger(r.url, { concurrency: 1 });
    for (const i of range(1000)) log.info({ i }, 'x'.repeat(20));
    expect(await log.flush({ timeoutMs: 20_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 1000, delivered: 1000, failed: 0 });
    expect(r.received.sort((a, b) => a - b)).toEqual(range(1000));
    await log.close();
  });

  it('own processor: "bisect" alike for both halves and three records alone fails the batch in 6 calls', async () => {
    let calls = 0;
    const transport = new BatchTransport(
      () => {
        calls++;
        return { kind: 'bisect', reason: new Error('table logs does not exist') };
      },
      { batch: { maxRecords: 500, intervalMs: 5 } },
    );
    const failed: LogRecord[] = [];
    transport.on('itemFailed', (record: LogRecord) => failed.push(record));
    const log = createLogger({
      exitFlush: false,
      base: null,
      router: { health: { failureThreshold: 1_000_000 } },
      transports: [transport],
    });
    for (const i of range(500)) log.info({ i }, 'nowhere to go');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(calls).toBe(6);
    expect(failed).toHaveLength(500);
    expect(log.stats()).toMatchObject({ logged: 500, failed: 500, pending: 0 });
    await log.close();
  });

  it('ClickHouse, table unknown (code 60): one request per batch, failed at once, the circuit opened', async () => {
    const unknownTable = "Code: 60, e.displayText() = DB::Exception: Table default.logs doesn't exist.";
    const r = await receiver(() => ({ status: 404, body: unknownTable }));
    const { log, deadIds } = httpLogger(r.url, { preset: 'clickhouse' });
    for (const i of range(2000)) log.info({ i }, 'into a table that is not there');
    expect(await log.flush({ timeoutMs: 20_000 })).toBe(true);
    expect(r.requests).toBe(2);
    expect(log.stats()).toMatchObject({ logged: 2000, delivered: 0, failed: 2000, pending: 0 });
    expect(log.stats().targets[0]).toMatchObject({ healthy: false });
    expect(log.stats().targets[0]!.lastError).toMatch(/^ClickHouse Code: 60/);
    await log.close();
    expect(deadIds()).toHaveLength(2000);
  });
});
