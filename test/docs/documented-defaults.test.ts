import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BatchSettings, BatchTransport } from '../../src/core/plugin/batch-transport.js';
import { batchSettings } from '../../src/core/plugin/protocol.js';
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_RECORDS } from '../../src/core/routing/target.js';
import { createLogger, type Logger } from '../../src/index.js';
import { parseDuration, parseSize } from '../../src/plugin.js';
import { ROOT } from '../built.js';

// The defaults the option tables give are the transports' own: each is read from its row
// (`1000`, `1MB`, `1s`; "no bound" and "no cap" are none) and compared with what a transport
// built without the option holds. The fields read are private: this test knows them on purpose.

const doc = readFileSync(join(ROOT, 'docs', 'transports.md'), 'utf8');
const configuration = readFileSync(join(ROOT, 'docs', 'configuration.md'), 'utf8');

/** The default cell of the row for `name` in the table whose header starts with `header`. */
function defaultOf(text: string, header: string, name: string): string {
  const start = text.indexOf(`\n| ${header} |`);
  expect(start, `a table headed "${header}"`).toBeGreaterThanOrEqual(0);
  const lines = text.slice(start + 1).split('\n');
  const head = lines[0]!.split('|').map((c) => c.trim());
  const column = head.indexOf('default');
  for (const line of lines) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').map((c) => c.trim());
    if (cells[1]!.startsWith(`\`${name}\``)) return cells[column]!;
  }
  throw new Error(`no row for ${name} under "${header}"`);
}

/** `1000`, `1MB`, `1s`, no bound → numbers (Infinity for none), in order. */
function values(cell: string): number[] {
  return cell.split(/,\s*/).map((part) => {
    const value = part.replace(/`/g, '').trim();
    if (/^no (bound|cap)$/.test(value)) return Number.POSITIVE_INFINITY;
    // A size ends in B (`64KB`); `5m` is five minutes.
    const number = /^\d+$/.test(value) ? Number(value) : /B$/.test(value) ? parseSize(value) : parseDuration(value);
    expect(number, `"${value}" in "${cell}"`).toBeTypeOf('number');
    return number!;
  });
}

const log: Logger = createLogger({
  exitFlush: false,
  diagnostics: false,
  transports: [
    { type: 'http', id: 'http', url: 'http://127.0.0.1:9/' },
    { type: 'syslog', id: 'syslog' },
    { type: 'buffered', id: 'buffered', target: { type: 'memory' } },
    { type: 'memory', id: 'memory' },
  ],
});
afterAll(() => log.close({ timeoutMs: 1000 }));

type BatchInside = {
  batcher: { limits: { maxItems: number; maxBytes: number; intervalMs: number } };
};
const inside = <T>(id: string) => log.transport(id) as unknown as T;
/** A batch transport's limits, defaults filled in (its fields are private: it says them). */
const settingsOf = (id: string): BatchSettings => (log.transport(id) as unknown as BatchTransport)[batchSettings]();

describe('the defaults in the option tables are the transports’ own', () => {
  it('http: batch, retry, concurrency, timeoutMs (an attempt gets twice timeoutMs)', () => {
    const http = settingsOf('http');
    // The first `| option |` table is the file transport's; the http one follows its own heading.
    const own = doc.slice(doc.indexOf('### The batch-HTTP transport'));
    const cell = (name: string) => values(defaultOf(own, 'option', name));
    expect(cell('batch')).toEqual([http.maxRecords, http.maxBytes, http.intervalMs]);
    const { maxAttempts, baseMs, maxMs, deadlineMs } = http.retry;
    expect(cell('retry')).toEqual([maxAttempts, baseMs, maxMs, deadlineMs]);
    expect(cell('concurrency')).toEqual([http.concurrency]);
    expect(cell('timeoutMs')).toEqual([http.timeoutMs / 2]);
  });

  it('syslog: concurrency, timeoutMs and batch.intervalMs are its own', () => {
    const syslog = settingsOf('syslog');
    const own = doc.slice(doc.indexOf('### The syslog transport'));
    expect(values(defaultOf(own, 'option', 'concurrency'))).toEqual([syslog.concurrency]);
    expect(values(defaultOf(own, 'option', 'timeoutMs'))).toEqual([syslog.timeoutMs]);
    expect(defaultOf(own, 'option', 'batch')).toContain(`\`batch.intervalMs\` ${syslog.intervalMs}`);
  });

  it('buffered: batch and retry', () => {
    const buffered = inside<{
      maxRetries: number;
      retryDelayMs: number;
      retryMaxMs: number;
      batcher: BatchInside['batcher'];
    }>('buffered');
    const { maxItems, maxBytes, intervalMs } = buffered.batcher.limits;
    expect(values(defaultOf(doc, '`buffered` option', 'batch'))).toEqual([maxItems, maxBytes, intervalMs]);
    const { maxRetries, retryDelayMs, retryMaxMs } = buffered;
    expect(values(defaultOf(doc, '`buffered` option', 'retry'))).toEqual([maxRetries + 1, retryDelayMs, retryMaxMs]);
  });

  it('memory: maxRecords', () => {
    const stats = log.stats().targets.find((t) => t.id === 'memory') as unknown as { capacity: number };
    expect(values(defaultOf(doc, '`memory` option', 'maxRecords'))).toEqual([stats.capacity]);
  });

  it('every entry: maxQueue', () => {
    expect(values(defaultOf(configuration, 'entry key', 'maxQueue'))).toEqual([DEFAULT_MAX_RECORDS, DEFAULT_MAX_BYTES]);
  });
});
