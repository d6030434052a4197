import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/index.js';
import { countingLogger } from './counting-logger.js';

const CLICKHOUSE = process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123/';
const installed = existsSync('/usr/bin/clickhouse') || existsSync('/usr/sbin/clickhouse-server');
if (!installed) {
  console.warn('\n*** SKIPPING the ClickHouse test: clickhouse-server is not installed (.ci/run installs it) ***\n');
}

async function query(sql: string): Promise<string> {
  const response = await fetch(CLICKHOUSE, { method: 'POST', body: sql });
  const text = await response.text();
  if (!response.ok) throw new Error(`ClickHouse: ${text}`);
  return text;
}

describe.skipIf(!installed)('the clickhouse preset against a real ClickHouse', () => {
  it('ships 10,000 records with one poison row: 9,999 rows land, the poison one is dead-lettered', async () => {
    const ping = await fetch(new URL('/ping', CLICKHOUSE)).catch((error: Error) => error);
    expect(ping instanceof Error ? ping.message : ping.status, 'ClickHouse is not answering: is it started?').toBe(200);
    const table = `streamlog_test_${process.pid}_${Date.now()}`;
    await query(
      `CREATE TABLE ${table} (ts UInt64, severity UInt8, message String, seq UInt32) ENGINE = MergeTree ORDER BY ts`,
    );
    try {
      const { log, dead: deadLetter } = countingLogger('ch', {
        preset: 'clickhouse',
        url: CLICKHOUSE,
        table,
        columns: { ts: 'time', severity: 'level', message: 'msg', seq: 'seq' },
        batch: { maxRecords: 1000, intervalMs: 20 },
        retry: { baseMs: 10, maxMs: 100 },
      });
      for (let seq = 0; seq < 10_000; seq++) {
        // One row whose seq cannot be a UInt32: ClickHouse refuses the insert it is in.
        log.info({ seq: seq === 5_000 ? 'not a number' : seq }, `row ${seq}`);
      }
      await log.flush({ timeoutMs: 60_000 });
      await log.close();
      expect((await query(`SELECT count() FROM ${table}`)).trim()).toBe('9999');
      expect((await query(`SELECT count() FROM ${table} WHERE message = 'row 5000'`)).trim()).toBe('0');
      const dead = deadLetter();
      expect(dead).toHaveLength(1);
      expect(dead[0].record).toMatchObject({ seq: 'not a number', msg: 'row 5000' });
      expect(dead[0].reasons[0].error).toMatch(/ClickHouse Code: \d+/);
      expect(log.stats()).toMatchObject({ logged: 10_000, failed: 1 });
    } finally {
      await query(`DROP TABLE IF EXISTS ${table}`);
    }
  }, 60_000);

  it('two poison rows in one batch of 1,000, one in each half: the other 998 rows land', async () => {
    const table = `streamlog_test_${process.pid}_${Date.now()}_two`;
    await query(`CREATE TABLE ${table} (ts UInt64, message String, seq UInt32) ENGINE = MergeTree ORDER BY ts`);
    try {
      const { log, dead: deadLetter } = countingLogger('ch-two', {
        preset: 'clickhouse',
        url: CLICKHOUSE,
        table,
        columns: { ts: 'time', message: 'msg', seq: 'seq' },
        batch: { maxRecords: 1000, intervalMs: 20 },
        retry: { baseMs: 10, maxMs: 100 },
      });
      const poison = new Set([100, 900]);
      for (let seq = 0; seq < 1000; seq++) log.info({ seq: poison.has(seq) ? 'not a number' : seq }, `row ${seq}`);
      await log.flush({ timeoutMs: 60_000 });
      await log.close();
      // Was 0: both halves refused alike were taken for a refusal of the whole batch.
      expect((await query(`SELECT count() FROM ${table}`)).trim()).toBe('998');
      expect(
        deadLetter()
          .map((entry) => String(entry.record.msg))
          .sort(),
      ).toEqual(['row 100', 'row 900']);
      expect(log.stats()).toMatchObject({ logged: 1000, delivered: 998, failed: 2, pending: 0 });
    } finally {
      await query(`DROP TABLE IF EXISTS ${table}`);
    }
  }, 60_000);

  it('a table that does not exist (code 60): each batch fails on its first answer, not bisected', async () => {
    const log = createLogger({
      exitFlush: false,
      base: null,
      router: { health: { failureThreshold: 1_000_000 } },
      transports: [
        {
          type: 'http',
          preset: 'clickhouse',
          url: CLICKHOUSE,
          table: `streamlog_missing_${process.pid}_${Date.now()}`,
          batch: { maxRecords: 1000, intervalMs: 20 },
          retry: { baseMs: 10, maxMs: 100 },
        },
      ],
    });
    for (let i = 0; i < 2000; i++) log.info({ i }, 'into a table that is not there');
    expect(await log.flush({ timeoutMs: 30_000 })).toBe(true);
    const stats = log.stats();
    expect(stats).toMatchObject({ logged: 2000, delivered: 0, failed: 2000, pending: 0 });
    expect(stats.targets[0]).toMatchObject({ batches: 2, splits: 0, retries: 0, healthy: false });
    expect(stats.targets[0]!.lastError).toMatch(/^ClickHouse Code: 60/);
    await log.close();
  }, 60_000);

  it('insertDeduplicationToken: kept once where the server has the setting, else a request-level failure', async () => {
    const version = (await query('SELECT version()')).trim();
    const [major = 0, minor = 0] = version.split('.').map(Number);
    const supported = major > 22 || (major === 22 && minor >= 2);
    const table = `streamlog_dedup_${process.pid}_${Date.now()}`;
    // Non-replicated tables deduplicate only with a window (a setting 18.16 does not know either).
    const window = supported ? ' SETTINGS non_replicated_deduplication_window = 100' : '';
    await query(`CREATE TABLE ${table} (ts UInt64, message String) ENGINE = MergeTree ORDER BY ts${window}`);
    // The same lines shipped twice by two loggers: the same rows, so the same token.
    const lines = Array.from({ length: 100 }, (_, i) => `{"level":30,"time":${1_700_000_000_000 + i},"msg":"m${i}"}\n`);
    async function ship() {
      const log = createLogger({
        exitFlush: false,
        base: null,
        router: { health: { failureThreshold: 1_000_000 } },
        transports: [
          {
            type: 'http',
            preset: 'clickhouse',
            url: CLICKHOUSE,
            table,
            columns: { ts: 'time', message: 'msg' },
            insertDeduplicationToken: true,
            batch: { maxRecords: 1000, intervalMs: 20 },
            retry: { baseMs: 10, maxMs: 100 },
          },
        ],
      });
      const stream = log.stream();
      stream.end(lines.join(''));
      await new Promise((resolve) => stream.on('finish', resolve));
      expect(await log.flush({ timeoutMs: 30_000 })).toBe(true);
      const stats = log.stats();
      await log.close();
      return stats;
    }
    try {
      const first = await ship();
      if (supported) {
        const second = await ship();
        expect(first).toMatchObject({ logged: 100, delivered: 100 });
        expect(second).toMatchObject({ logged: 100, delivered: 100 });
        expect((await query(`SELECT count() FROM ${table}`)).trim()).toBe('100');
      } else {
        // Code 115, unknown setting: every batch would be refused alike, so it fails at once with a hint.
        expect(first).toMatchObject({ logged: 100, delivered: 0, failed: 100, pending: 0 });
        expect(first.targets[0]).toMatchObject({ batches: 1, splits: 0, retries: 0, healthy: false });
        expect(first.targets[0]!.lastError).toMatch(/^insertDeduplicationToken needs ClickHouse 22\.2 .*Code: 115/);
        expect((await query(`SELECT count() FROM ${table}`)).trim()).toBe('0');
      }
    } finally {
      await query(`DROP TABLE IF EXISTS ${table}`);
    }
  }, 60_000);

  it('without columns, a line that repeats a key (a field named like a binding) goes in, its last value', async () => {
    const table = `streamlog_repeat_${process.pid}_${Date.now()}`;
    await query(`CREATE TABLE ${table} (time UInt64, requestId String, msg String) ENGINE = MergeTree ORDER BY time`);
    try {
      const { log, dead } = countingLogger('ch-repeat', {
        preset: 'clickhouse',
        url: CLICKHOUSE,
        table,
        batch: { maxRecords: 1000, intervalMs: 20 },
        retry: { baseMs: 10, maxMs: 100 },
      });
      const request = log.child({ requestId: 'bound' });
      request.info({ requestId: 'from the call' }, 'repeated');
      request.info('once');
      expect(await log.flush({ timeoutMs: 30_000 })).toBe(true);
      const stats = log.stats();
      expect(stats.delivered + stats.failed + stats.dropped + stats.pending).toBe(stats.logged);
      expect(dead()).toEqual([]);
      expect(stats).toMatchObject({ logged: 2, delivered: 2, failed: 0 });
      const rows = await query(`SELECT msg, requestId FROM ${table} ORDER BY msg FORMAT TSV`);
      expect(rows).toBe('once\tbound\nrepeated\tfrom the call\n');
      await log.close();
    } finally {
      await query(`DROP TABLE IF EXISTS ${table}`);
    }
  }, 60_000);

  it('a string cut in the middle of an emoji (a lone surrogate half) goes in as U+FFFD, not refused', async () => {
    const table = `streamlog_surrogate_${process.pid}_${Date.now()}`;
    await query(`CREATE TABLE ${table} (seq UInt32, msg String, note String) ENGINE = MergeTree ORDER BY seq`);
    try {
      const { log, dead } = countingLogger('ch-surrogate', {
        preset: 'clickhouse',
        url: CLICKHOUSE,
        table,
        batch: { maxRecords: 1000, intervalMs: 20 },
        retry: { baseMs: 10, maxMs: 100 },
      });
      const cut = 'ok 😀'.slice(0, 4);
      log.info({ seq: 1, note: 'x' }, cut);
      log.info({ seq: 2, note: '\\ud800 is text, \udc00 alone' }, 'a backslash, and a low half');
      log.info({ seq: 3, note: 'whole 😀' }, 'a pair');
      const mapped = countingLogger('ch-surrogate-columns', {
        preset: 'clickhouse',
        url: CLICKHOUSE,
        table,
        columns: { seq: 'seq', msg: 'msg' },
        batch: { maxRecords: 1000, intervalMs: 20 },
        retry: { baseMs: 10, maxMs: 100 },
      });
      mapped.log.info({ seq: 4 }, `mapped ${cut}`);
      expect(await log.flush({ timeoutMs: 30_000 })).toBe(true);
      expect(await mapped.log.flush({ timeoutMs: 30_000 })).toBe(true);
      for (const { log: each, dead: deadOf } of [{ log, dead }, mapped]) {
        const stats = each.stats();
        expect(stats.delivered + stats.failed + stats.dropped + stats.pending).toBe(stats.logged);
        expect(stats.failed).toBe(0);
        expect(deadOf()).toEqual([]);
      }
      const rows = await query(`SELECT seq, msg, note FROM ${table} ORDER BY seq FORMAT JSONEachRow`);
      expect(
        rows
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line)),
      ).toEqual([
        { seq: 1, msg: 'ok \ufffd', note: 'x' },
        { seq: 2, msg: 'a backslash, and a low half', note: '\\ud800 is text, \ufffd alone' },
        { seq: 3, msg: 'a pair', note: 'whole 😀' },
        { seq: 4, msg: 'mapped ok \ufffd', note: '' },
      ]);
      await log.close();
      await mapped.log.close();
    } finally {
      await query(`DROP TABLE IF EXISTS ${table}`);
    }
  }, 60_000);
});
