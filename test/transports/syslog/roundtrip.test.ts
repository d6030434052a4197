import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/index.js';
import { headerField, LIMITS } from '../../../src/transports/syslog/header.js';
import { type Parsed, sharedRsyslog, waitForMessages } from './rsyslog.js';

// Property: any record gives a message rsyslog parses back to the same app-name, msgid and
// structured data. Header fields come back as written when they are printable ASCII within
// the RFC's length (else as our sanitised form); SD values come back exactly, whatever they
// hold, once rsyslog's structured-data string is unescaped.

const rsyslog = sharedRsyslog();
if (rsyslog === undefined) {
  console.warn('\n*** SKIPPING the rsyslog round trip: rsyslogd is not installed (.ci/run installs it) ***\n');
}

const SD_ID = 'f@32473';

/** rsyslog's structured-data string back into elements of params, escapes undone (RFC 5424 §6.3.3). */
export function parseSd(sd: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  if (sd === '-') return out;
  let at = 0;
  const fail = (why: string) => new Error(`bad SD at ${at} (${why}): ${sd}`);
  while (at < sd.length) {
    if (sd[at] !== '[') throw fail('expected [');
    const idEnd = sd.slice(at + 1).search(/[ \]]/) + at + 1;
    const params: Record<string, string> = {};
    out[sd.slice(at + 1, idEnd)] = params;
    at = idEnd;
    while (sd[at] === ' ') {
      const eq = sd.indexOf('="', at);
      if (eq === -1) throw fail('expected ="');
      const name = sd.slice(at + 1, eq);
      let value = '';
      at = eq + 2;
      while (sd[at] !== '"') {
        if (at >= sd.length) throw fail('unterminated value');
        if (sd[at] === '\\' && '"\\]'.includes(sd[at + 1] ?? '')) at++;
        value += sd[at++];
      }
      params[name] = value;
      at++;
    }
    if (sd[at] !== ']') throw fail('expected ]');
    at++;
  }
  return out;
}

/** The transport sends a NUL as U+FFFD (rsyslog rewrites a NUL, and loses characters near it). */
function asRsyslogKeepsIt(value: string): string {
  return value.replaceAll('\u0000', '\uFFFD');
}

const tricky = fc.string({
  unit: fc.oneof(
    fc.constantFrom('"', '\\', ']', '[', '=', ' ', '-', 'é', '😀', '\t', '\n', '\u0000'),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 40,
});
const printable = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 50 });

const recordArb = fc.record(
  {
    name: fc.oneof(printable, tricky),
    mid: fc.oneof(printable, tricky),
    a: tricky,
    b: fc.oneof(tricky, fc.integer(), fc.boolean()),
  },
  { requiredKeys: [] },
);

describe.skipIf(rsyslog === undefined)('any record, through a real rsyslogd', () => {
  it('parses back to the same app-name, msgid and structured data', async () => {
    const info = rsyslog!;
    await fc.assert(
      fc.asyncProperty(fc.array(recordArb, { minLength: 1, maxLength: 25 }), async (entries) => {
        const run = randomUUID();
        const log = createLogger({
          exitFlush: false,
          base: null,
          transports: [{ type: 'syslog', port: info.tcp, msgIdField: 'mid', structuredData: { [SD_ID]: ['a', 'b'] } }],
        });
        for (const [i, entry] of entries.entries()) log.info({ ...entry, run, i }, 'round trip');
        await log.close({ timeoutMs: 10_000 });
        const mine = (m: Parsed) => m.msg.includes(run);
        const got = await waitForMessages(info.output, mine, entries.length, 5000);
        expect(got).toHaveLength(entries.length);
        for (const message of got) {
          const { i } = JSON.parse(message.msg) as { i: number };
          const entry = entries[i]!;
          expect(message.appname).toBe(headerField(entry.name, LIMITS.appName));
          expect(message.msgid).toBe(headerField(entry.mid, LIMITS.msgId));
          const params: Record<string, string> = {};
          if (entry.a !== undefined) params.a = asRsyslogKeepsIt(entry.a);
          if (entry.b !== undefined)
            params.b = asRsyslogKeepsIt(typeof entry.b === 'string' ? entry.b : JSON.stringify(entry.b));
          expect(parseSd(message.sd)).toEqual(Object.keys(params).length === 0 ? {} : { [SD_ID]: params });
        }
      }),
      { numRuns: 25 },
    );
  }, 120_000);

  it('printable ASCII header fields within the RFC lengths come back exactly as written', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
          minLength: 1,
          maxLength: 48,
        }),
        (app) => {
          expect(headerField(app, LIMITS.appName)).toBe(app);
        },
      ),
    );
  });
});
