import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, MemoryTransport } from '../../../src/index.js';
import { Spool } from '../../../src/core/routing/spool.js';
import { DIST_ESM, requireBuild, ROOT } from '../../built.js';
import { ControlledTransport } from '../../helpers.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'streamlog-spool-'));
}

describe('Spool', () => {
  it('gives lines back oldest first, in bounded reads, and empties its file when drained', () => {
    const path = join(tempDir(), 'nested', 't.ndjson');
    const spool = new Spool(path);
    expect(spool.empty).toBe(true);
    const long = 'x'.repeat(200_000);
    for (let i = 0; i < 5; i++) spool.append(`{"i":${i}}\n`);
    spool.append(`{"long":"${long}"}\n`);
    expect(spool.count).toBe(6);
    expect(spool.read(2)).toEqual(['{"i":0}\n', '{"i":1}\n']);
    spool.append('{"i":5}\n');
    expect(spool.read(10).map((l) => l.length)).toEqual([8, 8, 8, long.length + 12, 8]);
    expect(spool.empty).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('');
    spool.close();
    expect(existsSync(path)).toBe(false);
  });

  it('a new Spool on a file left behind counts its lines and keeps a torn last line out', () => {
    const path = join(tempDir(), 't.ndjson');
    const first = new Spool(path);
    first.append('{"a":1}\n');
    first.append('{"a":2}\n');
    first.close();
    const again = new Spool(path);
    expect(again.count).toBe(2);
    expect(again.read(5)).toEqual(['{"a":1}\n', '{"a":2}\n']);
  });
});

describe('block with a spool folder', () => {
  it('keeps memory bounded against a stalled target, then delivers everything in order', () => {
    requireBuild();
    const spoolDir = tempDir();
    const script = `
      import { createLogger, Transport, registerTransport } from ${JSON.stringify(DIST_ESM)};
      import { z } from 'zod';
      class Gate extends Transport {
        type = 'gate'; open = false; held = 0; seen = [];
        handle(record) {
          this.seen.push(record.toObject().i);
          if (this.open) this.settleDelivered(1); else this.held++;
        }
        release() { this.open = true; const n = this.held; this.held = 0; this.settleDelivered(n); }
      }
      registerTransport('gate', { schema: z.strictObject({}), create: () => new Gate() });
      const log = createLogger({ exitFlush: false, base: null, router: { spoolDir: ${JSON.stringify(spoolDir)} },
        transports: [{ type: 'gate', id: 'gate', overflow: 'block', maxQueue: { records: 1000 } }] });
      const gate = log.transports[0];
      global.gc(); const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < 300_000; i++) log.info({ i, pad: 'x'.repeat(60) }, 'spool me');
      global.gc(); const after = process.memoryUsage().heapUsed;
      const spooled = log.stats().targets[0].spooled;
      gate.release();
      const settled = await log.flush({ timeoutMs: 60_000 });
      const inOrder = gate.seen.every((v, k) => v === k);
      const stats = log.stats();
      await log.close();
      const growthMiB = (after - before) / 1048576;
      const { failed, dropped } = stats;
      const seen = gate.seen.length;
      process.stdout.write(JSON.stringify({ growthMiB, spooled, settled, seen, inOrder, failed, dropped }));
    `;
    const result = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    const out = JSON.parse(result.stdout) as Record<string, number | boolean>;
    expect(out.spooled).toBe(300_000 - 500); // all but the transport's window went to disk
    expect(out.growthMiB as number).toBeLessThan(64);
    expect(out).toMatchObject({ settled: true, seen: 300_000, inOrder: true, failed: 0, dropped: 0 });
    expect(existsSync(join(spoolDir, 'gate.ndjson'))).toBe(false);
  });

  it('records left in the spool by one logger are replayed first by the next one', async () => {
    const spoolDir = tempDir();
    const stalled = new ControlledTransport({ mode: 'stall', id: 'sink' });
    const first = createLogger({
      exitFlush: false,
      base: null,
      router: { spoolDir },
      transports: [{ transport: stalled, overflow: 'block', maxQueue: { records: 4 } }],
    });
    for (let i = 0; i < 10; i++) first.info({ i }, 'before restart');
    expect(first.stats().targets[0]).toMatchObject({ spooled: 8, spooledTotal: 8 });
    expect(await first.close({ timeoutMs: 20 })).toBe(false); // two were inside the stalled transport
    expect(first.stats().targets[0]!.abandoned).toBe(2);
    expect(readFileSync(join(spoolDir, 'sink.ndjson'), 'utf8').trim().split('\n')).toHaveLength(8);

    const sink = new MemoryTransport({ id: 'sink' });
    const second = createLogger({
      exitFlush: false,
      base: null,
      router: { spoolDir },
      transports: [{ transport: sink, overflow: 'block' }],
    });
    second.info({ i: 100 }, 'after restart');
    await second.flush();
    expect(sink.objects().map((o) => o.i)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 100]);
    expect(sink.objects()[0]).toEqual({ level: 30, time: expect.any(Number), i: 2, msg: 'before restart' });
    await second.close();
    expect(existsSync(join(spoolDir, 'sink.ndjson'))).toBe(false);
  });
});
