import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, type DeliveryFailure } from '../../../src/index.js';
import { ControlledTransport } from '../../helpers.js';

describe('records an earlier logger left in the spool', () => {
  it('failing in the next logger are reported but not counted as its own: delivered never goes negative', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-adopted-'));
    const stalled = new ControlledTransport({ id: 'dest', mode: 'stall' });
    const first = createLogger({
      exitFlush: false,
      router: { spool: { dir } },
      transports: [{ transport: stalled, maxQueue: { maxRecords: 2 } }],
    });
    for (let i = 0; i < 10; i++) first.info(`r${i}`);
    expect(first.stats().targets[0]!.spooled).toBe(9);
    expect(await first.close({ timeoutMs: 20 })).toBe(false);

    const failing = new ControlledTransport({ id: 'dest', mode: 'fail' });
    const next = createLogger({
      exitFlush: false,
      router: { spool: { dir }, health: { failureThreshold: 1000 } },
      transports: [{ transport: failing, maxQueue: { maxRecords: 2 } }],
    });
    const failures: DeliveryFailure[] = [];
    next.on('deliveryFailed', (failure) => failures.push(failure));
    next.info('own');
    expect(await next.flush({ timeoutMs: 2000 })).toBe(true);
    expect(failures).toHaveLength(10);
    expect(next.stats()).toMatchObject({ logged: 1, failed: 1, delivered: 0, pending: 0, adoptedFailed: 9 });
    await next.close({ timeoutMs: 200 });
  });
});
