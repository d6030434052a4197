import type { LoggerStats } from '../../../src/index.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  deadPort,
  expectAddsUp,
  lastJson,
  lineCount,
  PRINT_AT_EXIT,
  runChild,
  spooledLines,
  tempFolder,
} from './receiver.js';
import { receiversClosedAfterEach, spoolConfig } from './spool-fixture.js';

// Every way a process ends, with records held by an http target: each record arrives, waits
// in the spool for the next start, or fails counted (and dead-lettered). Children are real
// processes; the receivers run here and count what they take.

const receiver = receiversClosedAfterEach();

function folder(name: string): string {
  return tempFolder(`exit-${name}`);
}

/** What a child prints: the logger's stats, as JSON. */
type Counts = LoggerStats;

/** The spool fixture's config, with a request timeout no test here reaches. */
const config = (url: string, dir: string, extra: Record<string, unknown> = {}, spool = true): string =>
  spoolConfig(url, dir, { timeoutMs: 60_000, ...extra }, spool);

/** A second process with a live receiver: sends what the first left in the spool. */
async function restartAndDeliver(
  url: string,
  dir: string,
  expected: number,
): Promise<Counts & { targets: { replayed: number }[] }> {
  const result = await runChild(
    `const log = createLogger(${config(url, dir)});
     const deadline = Date.now() + 30000;
     const done = () => log.stats().targets[0].replayed + log.stats().targets[0].replayFailed >= ${expected};
     while (Date.now() < deadline && !done()) await new Promise((r) => setTimeout(r, 50));
     await log.close();
     writeSync(1, JSON.stringify(log.stats()) + '\\n');`,
  );
  expect(result.stderr).toBe('');
  return lastJson(result.stdout);
}

describe('SIGTERM with records held by an http target', () => {
  it('with a spool: it dies by the signal, all 1,000 wait on disk, the next start delivers them', async () => {
    const stalled = await receiver('stall');
    const dir = folder('sigterm');
    const child = await runChild(
      `const log = createLogger(${config(stalled.url, dir)});
       for (let i = 0; i < 1000; i++) log.info({ i }, 'before the orchestrator stops us');
       setTimeout(() => writeSync(1, 'ready\\n'), 300);
       setInterval(() => {}, 1000);`,
      { onStdout: (out, kill) => out.includes('ready') && kill('SIGTERM') },
    );
    expect(child.signal).toBe('SIGTERM');
    expect(child.stderr).toBe('');
    expect(spooledLines(dir)).toBe(1000);
    expect(lineCount(join(dir, 'dead.ndjson'))).toBe(0);

    // The spool is per destination: the backend comes back at the same address.
    await stalled.close();
    const live = await receiver('ok', stalled.port);
    await runChild(
      `const log = createLogger(${config(live.url, dir)});
       while (log.stats().targets[0].replayed < 1000) await new Promise((r) => setTimeout(r, 50));
       await log.close();`,
      { timeoutMs: 30_000 },
    );
    expect(live.distinct()).toBe(1000);
    expect(spooledLines(dir)).toBe(0);
  }, 60_000);

  it('without a spool: all 1,000 fail, counted, and reach the dead letter', async () => {
    const stalled = await receiver('stall');
    const dir = folder('sigterm-nospool');
    const child = await runChild(
      `const log = createLogger(${config(stalled.url, dir, {}, false)});
       for (let i = 0; i < 1000; i++) log.info({ i }, 'before the orchestrator stops us');
       setTimeout(() => writeSync(1, 'ready\\n'), 300);
       setInterval(() => {}, 1000);`,
      { onStdout: (out, kill) => out.includes('ready') && kill('SIGTERM') },
    );
    expect(child.signal).toBe('SIGTERM');
    expect(lineCount(join(dir, 'dead.ndjson'))).toBe(1000);
  }, 30_000);

  it('an application that handles SIGTERM itself decides: its close() sends what it can', async () => {
    const live = await receiver('ok');
    const dir = folder('sigterm-app');
    const child = await runChild(
      `const log = createLogger(${config(live.url, dir)});
       process.on('SIGTERM', async () => {
         await log.close();
         writeSync(1, JSON.stringify(log.stats()) + '\\n');
         process.exit(0);
       });
       for (let i = 0; i < 1000; i++) log.info({ i }, 'held in a batch');
       writeSync(1, 'ready\\n');
       setInterval(() => {}, 1000);`,
      { onStdout: (out, kill) => out.includes('ready') && !out.includes('{') && kill('SIGTERM') },
    );
    expect(child.code).toBe(0);
    expect(live.distinct()).toBe(1000);
    const stats = lastJson<Counts>(child.stdout);
    expect(stats).toMatchObject({ logged: 1000, delivered: 1000, pending: 0 });
  }, 30_000);
});

describe('process.exit() with 20,000 records for a receiver that never answers', () => {
  it('with a spool: every record is on disk at exit, pending as spooled, and delivered by the next start', async () => {
    const stalled = await receiver('stall');
    const dir = folder('exit-spool');
    const child = await runChild(
      `const log = createLogger(${config(stalled.url, dir)});
       ${PRINT_AT_EXIT}
       for (let i = 0; i < 20000; i++) log.info({ i }, 'into the silence');
       setTimeout(() => process.exit(0), 300);`,
    );
    expect(child.stderr).toBe('');
    const stats = lastJson<Counts>(child.stdout);
    expect(stats).toMatchObject({ logged: 20_000, failed: 0, pending: 20_000 });
    expect(stats.pendingDetail).toEqual({ inMemory: 0, spooled: 20_000, abandoned: 0 });
    expectAddsUp(stats);
    expect(spooledLines(dir)).toBe(20_000);

    await stalled.close();
    const live = await receiver('ok', stalled.port);
    const second = await runChild(
      `const log = createLogger(${config(live.url, dir)});
       while (log.stats().targets[0].replayed < 20000) await new Promise((r) => setTimeout(r, 50));
       await log.close();`,
      { timeoutMs: 45_000 },
    );
    expect(second.code).toBe(0);
    expect(live.distinct()).toBe(20_000);
  }, 90_000);

  it('without a spool: every record fails, counted and dead-lettered; none is left pending', async () => {
    const stalled = await receiver('stall');
    const dir = folder('exit-nospool');
    const child = await runChild(
      `const log = createLogger(${config(stalled.url, dir, {}, false)});
       ${PRINT_AT_EXIT}
       for (let i = 0; i < 20000; i++) log.info({ i }, 'into the silence');
       setTimeout(() => process.exit(0), 300);`,
    );
    const stats = lastJson<Counts>(child.stdout);
    expect(stats).toMatchObject({ logged: 20_000, failed: 20_000, pending: 0, delivered: 0 });
    expect(lineCount(join(dir, 'dead.ndjson'))).toBe(20_000);
  }, 60_000);
});

describe('a script that logs and returns', () => {
  it('with a live receiver: every record arrives before the process ends', async () => {
    const live = await receiver('ok');
    const dir = folder('return');
    const child = await runChild(
      `const log = createLogger(${config(live.url, dir, { batch: { intervalMs: 5000 } })});
       ${PRINT_AT_EXIT}
       for (let i = 0; i < 1500; i++) log.info({ i }, 'a cron job');`,
    );
    // A full batch of 1,000 leaves at once; the other 500 wait for an interval that the
    // end of the script must not wait out, nor lose.
    expect(child.code).toBe(0);
    expect(child.ms).toBeLessThan(4_000);
    expect(live.distinct()).toBe(1500);
    expect(lastJson<Counts>(child.stdout)).toMatchObject({ logged: 1500, delivered: 1500, pending: 0 });
  }, 30_000);

  it('a receiver that never answers, no spool: ends by exitTimeoutMs, all failed, dead-lettered', async () => {
    const stalled = await receiver('stall');
    const dir = folder('return-stalled');
    const child = await runChild(
      `const log = createLogger(${config(stalled.url, dir, {}, false)});
       ${PRINT_AT_EXIT}
       for (let i = 0; i < 1000; i++) log.info({ i }, 'a cron job');`,
    );
    expect(child.code).toBe(0);
    // exitTimeoutMs is 2 s (the requests' own timeout is a minute); the rest is start-up.
    expect(child.ms).toBeLessThan(10_000);
    const stats = lastJson<Counts>(child.stdout);
    expect(stats).toMatchObject({ logged: 1000, failed: 1000, pending: 0 });
    expect(lineCount(join(dir, 'dead.ndjson'))).toBe(1000);
  }, 30_000);
});

describe('close() against a dead receiver, with a spool', () => {
  it('resolves once what is held is on disk, and the next start delivers it', async () => {
    const port = await deadPort();
    const url = `http://127.0.0.1:${port}/ingest`;
    const dir = folder('close-spool');
    const child = await runChild(
      `const log = createLogger(${config(url, dir)});
       for (let i = 0; i < 1000; i++) log.info({ i }, 'before a graceful shutdown');
       const settled = await log.close();
       writeSync(1, JSON.stringify({ settled, ...log.stats() }) + '\\n');`,
      { timeoutMs: 20_000 },
    );
    expect(child.signal).toBeNull();
    const stats = lastJson<Counts & { settled: boolean }>(child.stdout);
    expect(stats).toMatchObject({ settled: true, logged: 1000, failed: 0, pending: 1000 });
    expect(stats.pendingDetail.spooled).toBe(1000);
    expect(spooledLines(dir)).toBe(1000);

    const live = await receiver('ok', port);
    const after = await restartAndDeliver(live.url, dir, 1000);
    expect(after.targets[0]!.replayed).toBe(1000);
    expect(live.distinct()).toBe(1000);
  }, 60_000);
});

describe('memory while the backend is down, with an http spool', () => {
  it('200,000 records at an always-503 receiver: heap +64 MB at most, all delivered after recovery', async () => {
    const rx = await receiver('down');
    const dir = folder('memory');
    const child = await runChild(
      `const log = createLogger(${config(rx.url, dir, { retry: { baseMs: 20, maxMs: 200 } })});
       global.gc(); const before = process.memoryUsage().heapUsed;
       for (let i = 0; i < 200000; i++) log.info({ i, pad: 'x'.repeat(40) }, 'while the backend is down');
       global.gc(); const growthMiB = (process.memoryUsage().heapUsed - before) / 1048576;
       writeSync(1, JSON.stringify({ phase: 'logged', growthMiB, ...log.stats() }) + '\\n');
       const deadline = Date.now() + 60000;
       while (Date.now() < deadline && log.stats().delivered < 200000) await new Promise((r) => setTimeout(r, 50));
       await log.close();
       writeSync(1, JSON.stringify({ phase: 'done', growthMiB, ...log.stats() }) + '\\n');`,
      {
        args: ['--expose-gc'],
        timeoutMs: 90_000,
        onStdout: (out) => {
          if (out.includes('"logged"')) rx.mode = 'ok';
        },
      },
    );
    expect(child.stderr).toBe('');
    const during = JSON.parse(child.stdout.split('\n')[0]!) as Counts & { growthMiB: number };
    expect(during.growthMiB).toBeLessThan(64);
    expectAddsUp(during);
    expect(during.pendingDetail.spooled).toBeGreaterThan(190_000);
    const done = lastJson<Counts & { growthMiB: number }>(child.stdout);
    expect(done).toMatchObject({ logged: 200_000, delivered: 200_000, failed: 0, dropped: 0, pending: 0 });
    expect(rx.distinct()).toBe(200_000);
  }, 120_000);
});
