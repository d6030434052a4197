import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, type HttpStats } from '../../../src/index.js';

// compression: { type: "gzip", minBytes }: bodies under minBytes go plain, the others gzipped,
// and stats() says how many bytes were encoded and how many went on the wire.

let server: Server;
let url = '';
const received: { encoding: string | undefined; lines: number; wire: number }[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const wire = Buffer.concat(chunks);
      const encoding = req.headers['content-encoding'];
      const body = encoding === 'gzip' ? gunzipSync(wire).toString() : wire.toString();
      received.push({ encoding, lines: body.split('\n').filter(Boolean).length, wire: wire.length });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/ingest`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

function shipper(compression: unknown, maxRecords: number) {
  return createLogger({
    exitFlush: false,
    transports: [{ type: 'http', url, compression: compression as 'gzip', batch: { maxRecords, intervalMs: 10 } }],
  });
}

describe('compression', () => {
  it('gzip with minBytes: a small body goes plain, a large one gzipped; the byte counts add up', async () => {
    received.length = 0;
    const log = shipper({ type: 'gzip', minBytes: '4KB' }, 200);
    log.info('one small record');
    expect(await log.flush()).toBe(true);
    for (let i = 0; i < 200; i++) log.info({ i, note: 'repetitive text compresses well' }, 'a larger batch');
    expect(await log.flush()).toBe(true);
    expect(received.map((r) => [r.encoding, r.lines])).toEqual([
      [undefined, 1],
      ['gzip', 200],
    ]);
    const stats = log.stats().targets[0] as unknown as HttpStats;
    expect(stats.sentBytes).toBe(received[0]!.wire + received[1]!.wire);
    expect(stats.bodyBytes).toBeGreaterThan(4 * stats.sentBytes - 4 * received[0]!.wire);
    await log.close();
  });

  it('"gzip" alone keeps its meaning with the 1 KiB default; "none" never compresses', async () => {
    received.length = 0;
    const gzip = shipper('gzip', 100);
    for (let i = 0; i < 100; i++) gzip.info({ i }, 'gzip by default above 1 KiB');
    expect(await gzip.flush()).toBe(true);
    const none = shipper('none', 100);
    for (let i = 0; i < 100; i++) none.info({ i }, 'plain');
    expect(await none.flush()).toBe(true);
    expect(received.map((r) => r.encoding)).toEqual(['gzip', undefined]);
    expect(none.stats().targets[0]).toMatchObject({ bodyBytes: received[1]!.wire, sentBytes: received[1]!.wire });
    await Promise.all([gzip.close(), none.close()]);
  });

  it('an unknown compression type is a ConfigError at its path', () => {
    expect(() => shipper({ type: 'brotli' }, 10)).toThrow(/^transports\[0\]\.compression/);
  });
});
