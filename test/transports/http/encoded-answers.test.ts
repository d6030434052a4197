import type { Server } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { reasonsLogger } from './counting-logger.js';
import { answeringReceiver, closeServersAfterEach } from './receiver.js';

// The transport sends no Accept-Encoding, and then (RFC 9110, 12.5.3) any content coding is
// acceptable to it: a server may compress its answer. Presets that read the answer must read
// it decoded, or a bulk or OTLP answer is taken for an unreadable one.

const servers: Server[] = [];
closeServersAfterEach(servers);

const receiver = (respond: Parameters<typeof answeringReceiver>[1]) => answeringReceiver(servers, respond);

const shipper = (url: string, preset: string) =>
  reasonsLogger({
    url,
    preset,
    batch: { maxRecords: 100, intervalMs: 10 },
    retry: { maxAttempts: 3, baseMs: 5, maxMs: 10 },
  });

const CODINGS = {
  gzip: gzipSync,
  deflate: deflateSync,
  br: brotliCompressSync,
} as const;

describe('an answer with a content coding', () => {
  for (const [coding, encode] of Object.entries(CODINGS)) {
    it(`elasticsearch, ${coding}: the bulk answer is read item by item, at the first attempt`, async () => {
      const r = await receiver((_req, res, body) => {
        const items = body
          .split('\n')
          .filter((line) => line.startsWith('{"create"'))
          .map((line, i) => {
            const _id = (JSON.parse(line) as { create: { _id: string } }).create._id;
            return i === 3
              ? { create: { _id, status: 400, error: { type: 'mapper_parsing_exception', reason: 'bad field' } } }
              : { create: { _id, status: 201 } };
          });
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': coding });
        res.end(encode(JSON.stringify({ errors: true, items })));
      });
      const { log, reasons } = shipper(r.url, 'elasticsearch');
      for (let i = 0; i < 10; i++) log.info({ i }, 'indexed');
      expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
      expect(log.stats()).toMatchObject({ logged: 10, delivered: 9, failed: 1, possibleDuplicates: 0 });
      expect([...reasons]).toEqual(['400 mapper_parsing_exception: bad field']);
      expect(r.requests()).toBe(1);
      await log.close();
    });

    it(`otlp, ${coding}: partialSuccess is read, the rest delivered, nothing sent again`, async () => {
      const r = await receiver((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': coding });
        res.end(encode('{"partialSuccess":{"rejectedLogRecords":"2","errorMessage":"too old"}}'));
      });
      const { log, reasons } = shipper(`${r.url}/v1/logs`, 'otlp');
      for (let i = 0; i < 10; i++) log.info({ i }, 'exported');
      expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
      expect(log.stats()).toMatchObject({ logged: 10, delivered: 8, failed: 2, possibleDuplicates: 0 });
      expect([...reasons]).toEqual(['too old']);
      expect(r.requests()).toBe(1);
      await log.close();
    });
  }

  it('an empty answer that names a coding is an empty answer', async () => {
    const r = await receiver((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end();
    });
    const { log } = shipper(`${r.url}/v1/logs`, 'otlp');
    for (let i = 0; i < 10; i++) log.info({ i }, 'exported');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 10, delivered: 10, failed: 0 });
    expect(r.requests()).toBe(1);
    await log.close();
  });

  it('a coding that does not decode is an answer whose outcome is unknown: retried, not delivered', async () => {
    const r = await receiver((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end('{"partialSuccess":{}}');
    });
    const { log, reasons } = shipper(`${r.url}/v1/logs`, 'otlp');
    for (let i = 0; i < 10; i++) log.info({ i }, 'exported');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 10, delivered: 0, failed: 10 });
    expect(r.requests()).toBe(3);
    expect([...reasons][0]).toMatch(/gzip/);
    await log.close();
  });

  it('a gzip answer that would decode past 4 MiB is not read past it: retried, not delivered', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, ' '));
    const r = await receiver((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(bomb);
    });
    const { log } = shipper(`${r.url}/v1/logs`, 'otlp');
    for (let i = 0; i < 10; i++) log.info({ i }, 'exported');
    expect(await log.flush({ timeoutMs: 20_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 10, delivered: 0, failed: 10 });
    expect(r.requests()).toBe(3);
    await log.close();
  });
});
