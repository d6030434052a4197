import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/index.js';

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
});
