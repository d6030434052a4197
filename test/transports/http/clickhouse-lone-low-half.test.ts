import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger, MemoryTransport } from '../../../src/index.js';
import { httpPreset } from '../../../src/transports/http/presets/index.js';

/** A surrogate half with no partner, as String.prototype.toWellFormed finds it. */
const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const memory = new MemoryTransport({ maxRecords: 1 });
const log = createLogger({ exitFlush: false, transports: [memory] });

/** The ClickHouse row of a record whose field `a` holds `value`, parsed back. */
function rowValue(value: string, columns?: Record<string, string>): string {
  log.info({ a: value }, 'hi');
  const body = httpPreset('clickhouse')!({ line: (r) => r.json(), columns }).body(memory.records()) as string;
  return (JSON.parse(body) as { a: string }).a;
}

describe('clickhouse: every row is well-formed text', () => {
  it('a lone low half after the text "\\ud800" (a backslash, not an escape) is replaced too', () => {
    for (const columns of [undefined, { a: 'a' }]) {
      expect(rowValue('\\ud800\udc00', columns)).toBe('\\ud800\ufffd');
      expect(rowValue('\\\\\\ud83d\ude00', columns)).toBe('\\\\\\ud83d\ufffd');
    }
  });

  it('property: any text of backslashes, escape-like text and surrogate halves comes out well-formed', () => {
    const unit = fc.constantFrom('\\', 'ud800', 'udc00', 'uD83D', 'ude00', '\ud800', '\udc00', '\ud83d\ude00', 'x');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 24 }), (value) => {
        const row = rowValue(value);
        // Only the lone halves change: the text is as logged with each of them as U+FFFD.
        expect(row, JSON.stringify(value)).toBe(value.replace(LONE, '\ufffd'));
      }),
      { numRuns: 500 },
    );
  });
});
