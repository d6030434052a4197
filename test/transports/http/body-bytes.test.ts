import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/index.js';
import { readBody } from './receiver.js';

// batch.maxBytes bounds the request body each preset encodes (before compression), in
// bytes: OTLP's attributes triple a line, and non-ASCII text takes two or three bytes a character.

let server: Server;
let url = '';
const sizes: number[] = [];
beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await readBody(req);
    sizes.push(Buffer.byteLength(body));
    // Each preset's success: OTLP and ClickHouse read an empty 200, Elasticsearch wants items.
    if (req.url?.includes('_bulk')) {
      const items = body
        .split('\n')
        .filter((l) => l.startsWith('{"create"'))
        .map(() => ({ create: { status: 201 } }));
      res.end(JSON.stringify({ errors: false, items }));
    } else res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const MAX = 64 * 1024;

describe('batch.maxBytes bounds the encoded request body, per preset', () => {
  it.each(['ndjson', 'json', 'otlp', 'loki', 'elasticsearch', 'clickhouse'])('%s', async (preset) => {
    sizes.length = 0;
    const log = createLogger({
      exitFlush: false,
      name: 'orders',
      transports: [
        {
          type: 'http',
          url: preset === 'elasticsearch' ? `${url}/_bulk` : `${url}/ingest`,
          preset,
          batch: { maxRecords: 100_000, maxBytes: '64KB', intervalMs: 20 },
        },
      ],
    });
    for (let i = 0; i < 3000; i++) {
      log.info({ i, user: { id: i, tags: ['a', 'b'] }, note: 'naïve café ünïcödé ✓ 日本語' }, 'order placed');
    }
    expect(await log.flush({ timeoutMs: 20_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 3000, delivered: 3000, failed: 0 });
    expect(sizes.length).toBeGreaterThan(3);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX);
    // Bounded, not starved: batches are filled to a fair share of the bound.
    expect(sizes.reduce((a, b) => a + b, 0) / sizes.length).toBeGreaterThan(MAX / 4);
    await log.close();
  });
});
