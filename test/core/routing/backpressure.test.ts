import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/index.js';
import { DIST_ESM, requireBuild, ROOT } from '../../built.js';
import '../../helpers.js';
import type { ControlledTransport } from '../../helpers.js';

/** Logs a million records at a target that never settles, in a child with --expose-gc. */
function stalledRun(overflow: string): { growthMiB: number; dropped: number; queueDepth: number } {
  requireBuild();
  const script = `
    import { createLogger, Transport, registerTransport } from ${JSON.stringify(DIST_ESM)};
    import { z } from 'zod';
    class Stalled extends Transport { type = 'stalled'; handle() {} }
    registerTransport('stalled', { schema: z.strictObject({}), create: () => new Stalled() });
    const log = createLogger({ exitFlush: false, router: { strategy: 'any' },
      transports: [{ type: 'stalled', overflow: ${JSON.stringify(overflow)},
        maxQueue: { maxRecords: 10000, maxBytes: '4MB' } }] });
    global.gc(); const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 1_000_000; i++) log.info({ i, payload: 'x'.repeat(50) }, 'into the void');
    global.gc(); const after = process.memoryUsage().heapUsed;
    const t = log.stats().targets[0];
    const growthMiB = (after - before) / 1048576;
    process.stdout.write(JSON.stringify({ growthMiB, dropped: t.dropped, queueDepth: t.queueDepth }));
    process.exit(0);
  `;
  const result = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  // A million drops are one line on stderr (no diagnostics handler): visible, not a flood; and
  // one more as the process ends, summing the reports the minute held back.
  const said = result.stderr.split('\n').filter(Boolean);
  expect(said).toHaveLength(2);
  expect(said[0]).toMatch(/^streamlog: \d+ record\(s\) dropped \(stalled#0: dropped: queue of stalled#0 full .*\)$/);
  expect(said[1]).toMatch(/^streamlog: \d+ record\(s\) dropped \(.*\), in \d+ report\(s\) held back until the end$/);
  return JSON.parse(result.stdout);
}

describe('memory stays bounded whatever the destination does', () => {
  it.each(['drop-newest', 'drop-oldest'])(
    '%s: a stalled target and 1,000,000 records grow the heap by under 64 MB',
    (overflow) => {
      const { growthMiB, dropped, queueDepth } = stalledRun(overflow);
      expect(queueDepth).toBeLessThanOrEqual(10_000);
      expect(dropped).toBe(1_000_000 - queueDepth);
      expect(growthMiB).toBeLessThan(64);
    },
  );

  it('log.stream() piped from a fast source into a slow block target delivers everything, queue bounded', async () => {
    const log = createLogger({
      exitFlush: false,
      base: null,
      transports: [{ type: 'controlled', mode: 'slow', overflow: 'block', maxQueue: { maxRecords: 200 } }],
    });
    const [slow] = log.transports as [ControlledTransport];
    const total = 50_000;
    let maxDepth = 0;
    const sampler = setInterval(() => (maxDepth = Math.max(maxDepth, log.stats().targets[0]!.queueDepth)), 1);
    async function* lines() {
      for (let i = 0; i < total; i++) yield `{"level":30,"time":${1_700_000_000_000 + i},"i":${i},"msg":"line ${i}"}\n`;
    }
    const sink = log.stream({ format: 'ndjson' });
    await pipeline(Readable.from(lines()), sink);
    await log.flush();
    clearInterval(sampler);
    expect(slow.received).toHaveLength(total);
    expect(slow.received.every((r, i) => r.msg === `line ${i}` && r.time === 1_700_000_000_000 + i)).toBe(true);
    expect(log.stats()).toMatchObject({ dropped: 0, failed: 0 });
    expect(maxDepth).toBeGreaterThan(0);
    expect(maxDepth).toBeLessThanOrEqual(200 + 16);
  });
});
