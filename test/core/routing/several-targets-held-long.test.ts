import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/index.js';
import { DIST_ESM } from '../../built.js';
import { lastJson, lineCount, runChild, tempFolder } from '../../transports/http/receiver.js';
import { receiversClosedAfterEach } from '../../transports/http/spool-fixture.js';

const receiver = receiversClosedAfterEach();

describe('counts with several targets, records held long', () => {
  it('a replay refused past the fates a spool keeps in memory is not counted failed again', async () => {
    // Past 100,000 parked lines a spool keeps a record's tag only, no fate: the router recalls
    // the rest. Before, under `any`, each such record was delivered by the file and then
    // counted failed when its replay was refused: delivered fell from 120,000 to 100,000.
    const http = await receiver('down');
    const dir = tempFolder('held-long-fates');
    const log = createLogger({
      diagnostics: false,
      exitFlush: false,
      router: { strategy: 'any', deadLetter: join(dir, 'dead.ndjson'), health: { failureThreshold: 1e9 } },
      transports: [
        { type: 'file', id: 'file', path: join(dir, 'app.log') },
        {
          type: 'http',
          id: 'http',
          url: http.url,
          batch: { maxRecords: 1000, intervalMs: 5 },
          retry: { maxAttempts: 2, baseMs: 5, maxMs: 10 },
          spool: { dir: join(dir, 'spool') },
        },
      ],
    });
    let last = 0;
    let wentBack = 0;
    log.on('deliveryFailed', () => {
      const { delivered } = log.stats();
      if (delivered < last) wentBack++;
      last = delivered;
    });
    const total = 120_000;
    for (let i = 0; i < total; i++) {
      log.info({ i }, 'parked at http');
      if (i % 2000 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await log.flush({ timeoutMs: 20_000 });
    expect(log.transport('http')!.stats().parked).toBeGreaterThan(100_000);
    http.mode = 'refused';
    for (let waited = 0; waited < 600 && log.transport('http')!.stats().pending > 0; waited++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await log.close();
    const { delivered, failed, dropped, pending } = log.stats();
    expect({ delivered, failed, dropped, pending, wentBack }).toEqual({
      delivered: total,
      failed: 0,
      dropped: 0,
      pending: 0,
      wentBack: 0,
    });
    expect(lineCount(join(dir, 'dead.ndjson'))).toBe(0);
  }, 60_000);

  it('one record held for ever by one target does not keep the router from letting go of the rest', async () => {
    // A target that holds its first record (in order, just never done) while the other takes a
    // million: the router's ring of fanned-out records grew by 5 bytes a record (8M: 42 MB).
    const script = `
      import { Transport } from ${JSON.stringify(DIST_ESM)};
      class Stuck extends Transport {
        held = 0;
        handle() { this.held++; }
        release() { this.settleDelivered(this.held); }
      }
      class Sink extends Transport { handle() { this.settleDelivered(1); } }
      const stuck = new Stuck({});
      const log = createLogger({ diagnostics: false, exitFlush: false, router: { strategy: 'any' }, transports: [
        { transport: new Sink({}), id: 'sink' },
        { transport: stuck, id: 'stuck', maxQueue: { maxRecords: 10 }, overflow: 'drop-newest' },
      ] });
      global.gc();
      const before = process.memoryUsage().arrayBuffers;
      for (let i = 0; i < 1_000_000; i++) log.info('passes');
      global.gc();
      const grown = process.memoryUsage().arrayBuffers - before;
      stuck.release();
      const s = log.stats();
      writeSync(1, JSON.stringify({ grown, logged: s.logged, delivered: s.delivered, pending: s.pending }) + '\\n');
    `;
    const child = await runChild(script, { args: ['--expose-gc'] });
    expect(child.code, child.stderr).toBe(0);
    const result = lastJson<{ grown: number; logged: number; delivered: number; pending: number }>(child.stdout);
    expect(result).toMatchObject({ logged: 1_000_000, delivered: 1_000_000, pending: 0 });
    expect(result.grown).toBeLessThan(1_000_000);
  }, 60_000);
});
