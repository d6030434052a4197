import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, type LoggerStats } from '../../../src/index.js';
import { ControlledTransport } from '../../helpers.js';
import { lastJson, lineCount, runChild, tempFolder } from '../../transports/http/receiver.js';
import { receiversClosedAfterEach } from '../../transports/http/spool-fixture.js';

const receiver = receiversClosedAfterEach();

/** Lines in the spool files of a folder. */
function parkedIn(folder: string): number {
  return readdirSync(folder)
    .filter((name) => name.endsWith('.ndjson'))
    .reduce((sum, name) => sum + lineCount(join(folder, name)), 0);
}

async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 10_000) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function counts(stats: LoggerStats): Pick<LoggerStats, 'delivered' | 'failed' | 'dropped' | 'pending'> {
  const { delivered, failed, dropped, pending } = stats;
  return { delivered, failed, dropped, pending };
}

describe('counts with several targets that hold different records', () => {
  it('counts what each target holds apart as pending, not the most one target holds', () => {
    const a = new ControlledTransport({ id: 'A', level: 'warn', mode: 'stall' });
    const b = new ControlledTransport({ id: 'B', level: 'info', mode: 'ok' });
    const log = createLogger({ exitFlush: false, diagnostics: false, transports: [a, b] });
    for (let i = 0; i < 3; i++) log.warn({ i }, 'to both: B takes it, A holds it');
    b.mode = 'stall';
    for (let i = 0; i < 3; i++) log.info({ i }, 'to B only: B holds it');
    // Before: the target furthest behind held 3, so 3 of the 6 were said delivered.
    expect(counts(log.stats())).toEqual({ delivered: 0, failed: 0, dropped: 0, pending: 6 });
    a.release();
    expect(counts(log.stats())).toEqual({ delivered: 3, failed: 0, dropped: 0, pending: 3 });
    b.release();
    expect(counts(log.stats())).toEqual({ delivered: 6, failed: 0, dropped: 0, pending: 0 });
  });

  it('does not count a record failed at one target as pending at another, in place of one delivered', () => {
    const a = new ControlledTransport({ id: 'A', level: 'warn', mode: 'stall' });
    const b = new ControlledTransport({ id: 'B', level: 'info', mode: 'ok' });
    const log = createLogger({ exitFlush: false, diagnostics: false, transports: [a, b] });
    for (let i = 0; i < 5; i++) {
      b.mode = 'ok';
      log.info({ i }, 'B delivers it');
      b.mode = 'fail';
      log.warn({ i }, 'B refuses it, A holds it');
    }
    // Before: delivered 0, failed 5, pending 5 (A's five, failed already, in place of B's delivered five).
    expect(counts(log.stats())).toEqual({ delivered: 5, failed: 5, dropped: 0, pending: 0 });
    a.release();
    expect(counts(log.stats())).toEqual({ delivered: 5, failed: 5, dropped: 0, pending: 0 });
  });

  it('under any, a record delivered at one target is delivered, though another still holds it', () => {
    const a = new ControlledTransport({ id: 'A', mode: 'stall' });
    const b = new ControlledTransport({ id: 'B', mode: 'ok' });
    const log = createLogger({ exitFlush: false, diagnostics: false, router: { strategy: 'any' }, transports: [a, b] });
    for (let i = 0; i < 4; i++) log.info({ i }, 'B takes it');
    expect(counts(log.stats())).toEqual({ delivered: 4, failed: 0, dropped: 0, pending: 0 });
    b.mode = 'stall';
    log.info('neither has settled it');
    expect(counts(log.stats())).toEqual({ delivered: 4, failed: 0, dropped: 0, pending: 1 });
    a.release('failed');
    b.release();
    expect(counts(log.stats())).toEqual({ delivered: 5, failed: 0, dropped: 0, pending: 0 });
  });

  it('says at every step exactly what no target holds any more, never taking it back', () => {
    const infoAndUp = new ControlledTransport({ id: 'info', level: 'info', mode: 'stall' });
    const warnOnly = new ControlledTransport({ id: 'warn-only', level: 'warn', mode: 'stall' });
    const log = createLogger({ exitFlush: false, diagnostics: false, transports: [infoAndUp, warnOnly] });
    let last = 0;
    const check = (step: string): void => {
      // A record is delivered once no target holds it (they all deliver).
      const handed = new Set([...infoAndUp.received, ...warnOnly.received]);
      const held = new Set([...infoAndUp.held, ...warnOnly.held]);
      const { delivered, pending } = log.stats();
      expect({ step, delivered, pending }).toEqual({ step, delivered: handed.size - held.size, pending: held.size });
      expect(delivered).toBeGreaterThanOrEqual(last);
      last = delivered;
    };
    for (let round = 0; round < 20; round++) {
      log.info({ round }, 'info');
      if (round % 3 === 0) log.warn({ round }, 'warn');
      check(`round ${round} logged`);
      infoAndUp.release();
      check(`round ${round}, info target settled`);
      if (round % 5 === 4) warnOnly.release();
      check(`round ${round} done`);
    }
    warnOnly.release();
    expect(counts(log.stats())).toEqual({ delivered: 27, failed: 0, dropped: 0, pending: 0 });
  });

  it('after process.exit(), records parked in two spools are all pending, none delivered', async () => {
    const a = await receiver('stall');
    const b = await receiver('ok');
    const dir = tempFolder('several-targets-exit');
    const flag = join(dir, 'b-stalls');
    const target = (id: string, level: string, url: string): Record<string, unknown> => ({
      id,
      type: 'http',
      level,
      url,
      batch: { intervalMs: 10 },
      timeoutMs: 60_000,
      spool: { dir: join(dir, id) },
    });
    const config = {
      diagnostics: false,
      transports: [target('A', 'warn', a.url), target('B', 'info', b.url)],
    };
    const script = `
      import { existsSync } from 'node:fs';
      const log = createLogger(${JSON.stringify(config)});
      const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
      for (let i = 0; i < 20; i++) log.warn({ i }, 'A holds it, B takes it');
      while (log.transport('B').stats().delivered < 20) await sleep(10);
      writeSync(1, 'B took them\\n');
      while (!existsSync(${JSON.stringify(flag)})) await sleep(10);
      for (let i = 20; i < 40; i++) log.info({ i }, 'B holds it');
      process.on('exit', () => writeSync(1, JSON.stringify(log.stats()) + '\\n'));
      process.exit(0);
    `;
    const child = await runChild(script, {
      onStdout: (text) => {
        if (text.includes('B took them') && !existsSync(flag)) {
          b.mode = 'stall';
          writeFileSync(flag, '');
        }
      },
    });
    expect(child.code, child.stderr).toBe(0);
    expect(b.distinct()).toBe(20);
    const stats = lastJson<LoggerStats>(child.stdout);
    expect([parkedIn(join(dir, 'A')), parkedIn(join(dir, 'B'))]).toEqual([20, 20]);
    // Before: delivered 20, pending 20 (the most one spool held).
    expect(counts(stats)).toEqual({ delivered: 0, failed: 0, dropped: 0, pending: 40 });
    expect(stats.pendingDetail).toEqual({ inMemory: 0, spooled: 40, abandoned: 0 });
  });

  it('an http target whose later batch is answered first settles that batch, not the one still in flight', async () => {
    // The first request is answered only when the test says so; the rest at once.
    let answerFirst: (() => void) | undefined;
    let requests = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (requests++ === 0) answerFirst = () => res.end();
        else res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const warnOnly = new ControlledTransport({ id: 'warn-only', level: 'warn', mode: 'stall' });
    const log = createLogger({
      exitFlush: false,
      diagnostics: false,
      transports: [
        { type: 'http', id: 'http', url, concurrency: 2, batch: { maxRecords: 1, intervalMs: 1 } },
        warnOnly,
      ],
    });
    try {
      log.info('to http only: its request waits');
      await until(() => requests === 1);
      log.warn('to both: http answers it first, warn-only holds it');
      await until(() => log.transport('http')!.stats().delivered === 1);
      // Before, http's count of one took the oldest it held: 1 delivered, 1 pending.
      expect(counts(log.stats())).toEqual({ delivered: 0, failed: 0, dropped: 0, pending: 2 });
      answerFirst!();
      await until(() => log.transport('http')!.stats().delivered === 2);
      expect(counts(log.stats())).toEqual({ delivered: 1, failed: 0, dropped: 0, pending: 1 });
      warnOnly.release();
      expect(counts(log.stats())).toEqual({ delivered: 2, failed: 0, dropped: 0, pending: 0 });
    } finally {
      await log.close({ timeoutMs: 1000 });
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('validating skips a record while a valid one waits in its inner target: the skipped one is settled', () => {
    const warnOnly = new ControlledTransport({ id: 'warn-only', level: 'warn', mode: 'stall' });
    const log = createLogger({
      exitFlush: false,
      diagnostics: false,
      transports: [
        {
          type: 'validating',
          id: 'checked',
          rules: { ok: 'boolean' },
          onInvalid: 'skip',
          target: { type: 'controlled', mode: 'stall' },
        },
        warnOnly,
      ],
    });
    log.info({ ok: true }, 'valid: waits in the inner target');
    log.warn('invalid: skipped by checked, held by warn-only');
    // Before, the skip was a count of one, taken as the valid record: 1 delivered, 1 pending.
    expect(counts(log.stats())).toEqual({ delivered: 0, failed: 0, dropped: 0, pending: 2 });
    warnOnly.release();
    expect(counts(log.stats())).toEqual({ delivered: 1, failed: 0, dropped: 0, pending: 1 });
  });
});
