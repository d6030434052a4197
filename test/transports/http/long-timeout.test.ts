import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createLogger, HttpTransport } from '../../../src/index.js';

// configuration.md: a `timeoutMs` is taken up to 2^31 − 1 ms (24.8 days), as Node fires a longer
// timer after 1 ms. The http transport gives a whole attempt twice its `timeoutMs`, so a
// `timeoutMs` over 12.4 days made an attempt timer Node cut to 1 ms: every attempt failed at once.

describe('http timeoutMs near the longest timer', () => {
  it('a config timeoutMs of 20 days waits for a receiver that answers after a while', async () => {
    const server = createServer((req, res) => {
      req.resume();
      // Answered later than the 1 ms an overflowing timer would allow.
      req.on('end', () => setTimeout(() => res.writeHead(204).end(), 200));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    const log = createLogger({
      exitFlush: false,
      diagnostics: false,
      transports: [
        {
          type: 'http',
          url: `http://127.0.0.1:${port}/`,
          timeoutMs: '20d',
          retry: { maxAttempts: 1 },
          batch: { intervalMs: 10 },
        },
      ],
    });
    try {
      log.info('one');
      await log.flush({ timeoutMs: 10_000 });
      const stats = log.stats();
      expect(stats.failed).toBe(0);
      expect(stats.delivered).toBe(1);
      expect(warnings).not.toContain('TimeoutOverflowWarning');
    } finally {
      process.off('warning', onWarning);
      await log.close({ timeoutMs: 2000 });
      server.close();
    }
  });

  it.each([
    ['Infinity', Number.POSITIVE_INFINITY],
    ['past 24.8 days', 3_000_000_000],
  ])('a timeoutMs from code of %s delivers, with no overflow warning', async (_name, timeoutMs) => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    const transport = new HttpTransport({
      url: `http://127.0.0.1:${port}/`,
      timeoutMs,
      retry: { maxAttempts: 1 },
      batch: { intervalMs: 10 },
    });
    const log = createLogger({ exitFlush: false, diagnostics: false, transports: [transport] });
    try {
      log.info('one');
      await log.flush({ timeoutMs: 10_000 });
      // Before: Infinity failed every attempt (the socket's timeout refuses it); 3e9 warned on stderr.
      expect(log.stats()).toMatchObject({ logged: 1, delivered: 1, failed: 0 });
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain('TimeoutOverflowWarning');
    } finally {
      process.off('warning', onWarning);
      await log.close({ timeoutMs: 2000 });
      server.close();
    }
  });
});
