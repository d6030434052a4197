import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../built.js';
import { countingLogger } from './counting-logger.js';

// The ClickHouse table docs/transports.md gives for the default line, against a real server:
// `time` is epoch milliseconds, which a DateTime column would take as seconds (18.16 stored
// 1796697626777 as 2014-05-28 17:10:49, no error). The table keeps `time` as a number and
// derives the record's second from it; this checks that the documented table does.

const CLICKHOUSE = process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123/';
const installed = existsSync('/usr/bin/clickhouse') || existsSync('/usr/sbin/clickhouse-server');

async function query(sql: string): Promise<string> {
  const response = await fetch(CLICKHOUSE, { method: 'POST', body: sql });
  const text = await response.text();
  if (!response.ok) throw new Error(`ClickHouse: ${text}`);
  return text;
}

/** The `CREATE TABLE logs …` of the ClickHouse config in docs/transports.md. */
function documentedTable(): string {
  const docs = readFileSync(join(ROOT, 'docs', 'transports.md'), 'utf8');
  const sql = /```sql\n(CREATE TABLE logs [\s\S]*?)```/.exec(docs);
  if (sql === null) throw new Error('no CREATE TABLE logs in docs/transports.md');
  return sql[1]!;
}

describe.skipIf(!installed)('the documented ClickHouse table', () => {
  it("takes the default line and holds each record's time as its second, not a date years off", async () => {
    const table = `streamlog_docs_${process.pid}_${Date.now()}`;
    await query(documentedTable().replace('CREATE TABLE logs ', `CREATE TABLE ${table} `));
    try {
      const { log } = countingLogger('ch-docs', {
        preset: 'clickhouse',
        url: CLICKHOUSE,
        table,
        batch: { maxRecords: 10, intervalMs: 10 },
      });
      for (let i = 0; i < 3; i++) log.info({ i }, `row ${i}`);
      expect(await log.flush({ timeoutMs: 20_000 })).toBe(true);
      await log.close();
      const rows = (await query(`SELECT time, toUnixTimestamp(ts), msg FROM ${table} ORDER BY msg FORMAT TSV`))
        .trim()
        .split('\n')
        .map((line) => line.split('\t'));
      expect(rows.map((row) => row[2])).toEqual(['row 0', 'row 1', 'row 2']);
      for (const [time, second] of rows) expect(Number(second)).toBe(Math.floor(Number(time) / 1000));
    } finally {
      await query(`DROP TABLE IF EXISTS ${table}`);
    }
  }, 30_000);
});
