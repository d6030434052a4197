import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createLogger, registerHttpPreset } from '../../../src/index.js';
import { otlpPreset } from '../../../src/transports/http/presets/otlp.js';
import { lendBuffer, takeBack } from '../../../src/transports/http/presets/body-buffers.js';
import { closeServersAfterEach } from './receiver.js';

// The otlp preset writes each body into a buffer lent to it, taken back once the socket has
// the body whole (or zlib has compressed it): the next body is written into the same memory.

const servers: Server[] = [];
closeServersAfterEach(servers);

type Body = { resourceLogs: { scopeLogs: { logRecords: { attributes: { key: string; value: unknown }[] }[] }[] }[] };

/**
 * An OTLP receiver that answers each request after `delayMs` (bodies overlap in flight) with
 * `status`, and keeps every `i` attribute of the requests it answered 200.
 */
async function slowCollector(delayMs: () => number, status: () => number = () => 200) {
  const received: number[] = [];
  let requests = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests++;
      const raw = Buffer.concat(chunks);
      const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      const answer = status();
      setTimeout(() => {
        if (answer === 200) {
          const body = JSON.parse(text) as Body;
          for (const r of body.resourceLogs) {
            for (const logRecord of r.scopeLogs[0]!.logRecords) {
              const i = logRecord.attributes.find((a) => a.key === 'i')!.value as { intValue: string };
              received.push(Number(i.intValue));
            }
          }
        }
        res.writeHead(answer, { 'content-type': 'application/json' });
        res.end('{}');
      }, delayMs());
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1/logs`;
  return { url, received, requests: () => requests };
}

/** A logger shipping to `url` with the otlp preset, room for every record, and these http options. */
function otlpLogger(url: string, options: Record<string, unknown>) {
  const target = { type: 'http', preset: 'otlp', url, maxQueue: { maxRecords: 100_000 }, ...options } as const;
  return createLogger({ exitFlush: false, transports: [target] });
}

describe('request bodies written into lent buffers', () => {
  it('lends memory no one else holds, and takes back only what it lent, once', () => {
    const first = lendBuffer(300_000);
    const second = lendBuffer(300_000);
    expect(first.buffer).not.toBe(second.buffer);
    takeBack(first.subarray(0, 10));
    // Taken back twice, or never lent: nothing happens (the memory is not lent twice).
    takeBack(first);
    takeBack(Buffer.alloc(300_000));
    const third = lendBuffer(300_000);
    expect(third.buffer).toBe(first.buffer);
    const fourth = lendBuffer(300_000);
    expect([first.buffer, second.buffer]).not.toContain(fourth.buffer);
    for (const buffer of [second, third, fourth]) takeBack(buffer);
  });

  for (const compression of ['none', 'gzip'] as const) {
    it(`sends every record once, as it was, four bodies in flight at once (compression ${compression})`, async () => {
      const collector = await slowCollector(() => 5 + Math.floor(Math.random() * 30));
      const log = otlpLogger(collector.url, { concurrency: 4, compression, batch: { maxRecords: 250 } });
      for (let i = 0; i < 20_000; i++) log.info({ i, text: `record ${i} ${'x'.repeat(i % 50)}` }, 'shipped');
      await log.close();
      expect(log.stats().delivered).toBe(20_000);
      expect(collector.requests()).toBeGreaterThanOrEqual(80);
      expect(collector.received).toHaveLength(20_000);
      expect([...collector.received].sort((a, b) => a - b)).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
    });
  }

  it('sends every record as it was when bodies are refused and sent again', async () => {
    // One request in three answered 503: those records go again, in bodies written after others.
    let n = 0;
    const collector = await slowCollector(
      () => Math.floor(Math.random() * 10),
      () => (n++ % 3 === 1 ? 503 : 200),
    );
    const log = otlpLogger(collector.url, {
      concurrency: 3,
      batch: { maxRecords: 200 },
      retry: { baseMs: 1, maxMs: 5, maxAttempts: 20 },
    });
    for (let i = 0; i < 6000; i++) log.info({ i }, 'again');
    await log.close();
    expect(log.stats().delivered).toBe(6000);
    expect([...collector.received].sort((a, b) => a - b)).toEqual(Array.from({ length: 6000 }, (_, i) => i));
  });

  it('gives back a body split before it is sent, as it gives back one that was sent', async () => {
    let built = 0;
    let given = 0;
    registerHttpPreset('otlp-counted', () => ({
      ...otlpPreset,
      bodyUtf8(records) {
        built++;
        return otlpPreset.bodyUtf8!(records);
      },
      release(body) {
        given++;
        otlpPreset.release!(body);
      },
    }));
    const collector = await slowCollector(() => 0);
    // Bodies of 200 records are over 16 KB: each batch is split before it is sent, down to what fits.
    const log = otlpLogger(collector.url, { preset: 'otlp-counted', batch: { maxRecords: 200, maxBytes: '16KB' } });
    for (let i = 0; i < 2000; i++) log.info({ i, text: 'x'.repeat(40) }, 'split');
    await log.close();
    expect(log.stats().delivered).toBe(2000);
    expect(collector.received).toHaveLength(2000);
    expect(built).toBeGreaterThan(collector.requests());
    expect(given).toBe(built);
  });

  it("delivers every record when a preset's release throws, for plain and gzipped bodies", async () => {
    registerHttpPreset('otlp-release-throws', () => ({
      ...otlpPreset,
      release() {
        throw new Error('release refused');
      },
    }));
    for (const compression of ['none', 'gzip'] as const) {
      const collector = await slowCollector(() => 0);
      const log = otlpLogger(collector.url, {
        preset: 'otlp-release-throws',
        compression,
        batch: { maxRecords: 100 },
        retry: { baseMs: 1, maxMs: 5, maxAttempts: 3 },
      });
      for (let i = 0; i < 1000; i++) log.info({ i }, 'thrown');
      await log.close();
      const stats = log.stats();
      expect(stats.delivered).toBe(1000);
      expect(stats.failed + stats.dropped + stats.pending).toBe(0);
      expect([...collector.received].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    }
  });
});
