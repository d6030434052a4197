import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, type DeliveryFailure, type Logger, type MemoryTransport } from '../../../src/index.js';
import '../../helpers.js';

const SECRET = 'cvv_8812_live';

/** Calls whose secret reached lines before: through an error's message, its cause, a Set, toJSON. */
function logLeakyShapes(log: Logger): void {
  log.error(new Error(SECRET));
  log.error({ err: new Error('declined', { cause: new Error(SECRET) }) }, 'payment');
  log.info({ cards: new Set([{ cvv: SECRET }]) }, 'cards');
  log.info({ card: { toJSON: () => ({ cvv: SECRET }) } }, 'card');
}

describe('redaction holds in every output a record reaches', () => {
  it('formatters, the dead letter, deliveryFailed records and an OTLP body', async () => {
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/logs`;
    const deadLetter = join(mkdtempSync(join(tmpdir(), 'streamlog-redact-')), 'dead.ndjson');
    const formats = ['json', 'text', 'pretty', 'stable-json'] as const;
    const log = createLogger({
      exitFlush: false,
      redact: ['err.message', 'err.cause.message', '*.cvv', 'cards[*].cvv'],
      router: { strategy: 'all', deadLetter, health: { failureThreshold: 100 } },
      transports: [
        ...formats.map((format) => ({ type: 'memory' as const, id: format, format, maxRecords: 100 })),
        { type: 'controlled', mode: 'fail', id: 'refuses' },
        { type: 'http', preset: 'otlp', url, batch: { maxRecords: 10, intervalMs: 10 } },
      ],
    });
    const memories = formats.map((format) => log.transport<MemoryTransport>(format)!);
    const failed: DeliveryFailure[] = [];
    log.on('deliveryFailed', (failure) => failed.push(failure));
    logLeakyShapes(log);
    await log.flush();
    await log.close();
    server.close();

    const outputs: [string, string][] = memories.map((m, i) => [formats[i]!, m.lines().join('')]);
    outputs.push(['otlp', bodies.join('')]);
    // Each format really wrote its own text.
    expect(new Set(outputs.map(([, text]) => text)).size).toBe(outputs.length);
    for (const [name, text] of outputs) {
      expect(text.length, name).toBeGreaterThan(0);
      expect(text, name).not.toContain(SECRET);
    }
    expect(failed).toHaveLength(4);
    expect(JSON.stringify(failed.map((f) => f.record.toObject()))).not.toContain(SECRET);
    expect(readFileSync(deadLetter, 'utf8')).not.toContain(SECRET);
    expect(memories[0]!.objects().map((o) => o.msg)).toEqual(['[Redacted]', 'payment', 'cards', 'card']);
  });
});
