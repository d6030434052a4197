import { describe, expect, it } from 'vitest';
import { createLogger, type LogRecord } from '../../../src/index.js';

// A receiver named by a host that does not resolve: each record fails after its attempts,
// saying why (the reason reaches itemFailed listeners and the dead letter).

describe('a syslog host that does not resolve', () => {
  for (const protocol of ['tcp', 'udp'] as const) {
    it(`${protocol}: every record fails, counted, with the resolver's reason`, async () => {
      const log = createLogger({
        exitFlush: false,
        base: null,
        transports: [
          { type: 'syslog', protocol, host: 'nohost.invalid', retry: { baseMs: 5, maxMs: 10, maxAttempts: 2 } },
        ],
      });
      const reasons: string[] = [];
      log.transports[0]!.on('itemFailed', (_record: LogRecord, reason: Error) => reasons.push(reason.message));
      log.info('a');
      log.info('b');
      await log.flush({ timeoutMs: 5000 });
      const stats = log.stats();
      await log.close();
      expect(stats).toMatchObject({ logged: 2, delivered: 0, failed: 2, dropped: 0, pending: 0 });
      expect(reasons).toHaveLength(2);
      for (const reason of reasons) expect(reason).toMatch(/ENOTFOUND|EAI_AGAIN/);
    });
  }
});
