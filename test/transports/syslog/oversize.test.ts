import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLogger,
  type LogRecord,
  type SyslogStats,
  SyslogTransport,
  type SyslogTransportOptions,
} from '../../../src/index.js';
import { tempFolder } from '../http/receiver.js';
import { parsedMessages, Rsyslog, RSYSLOGD, waitForMessages } from './rsyslog.js';

// A message longer than rsyslog's maxMessageSize (8096 bytes unless configured) is split by
// rsyslog, and the rest is parsed as a message of its own, header and all: a logged value
// could forge a record from another host at any severity. Against an rsyslogd left at its
// default size, a forged header is placed at every offset around the limit.

const FORGED = '<0>1 2024-01-01T00:00:00.000Z forged-host forged-app 1 FORGED - pwned';

let server: Rsyslog;
beforeAll(async () => {
  if (RSYSLOGD === undefined) return;
  server = await Rsyslog.create(tempFolder('rsyslog-oversize'), null);
  await server.start();
});
afterAll(async () => {
  if (RSYSLOGD === undefined) return;
  await server.stop();
  rmSync(server.dir, { recursive: true, force: true });
});

const raw = { name: 'raw', format: (record: LogRecord) => `${record.msg}\n` };

async function sendSweep(app: string, options: SyslogTransportOptions, value: (pad: number) => string) {
  const log = createLogger({
    exitFlush: false,
    base: null,
    transports: [new SyslogTransport({ port: server.ports.tcp, appName: app, hostname: 'web-1', ...options })],
  });
  const before = parsedMessages(server.output).length;
  const count = 300;
  for (let pad = 7850; pad < 7850 + count; pad++) log.info(value(pad));
  log.info('end');
  expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
  const stats = log.stats().targets[0] as unknown as SyslogStats;
  await log.close();
  // One connection, in order: once "end" is written out, everything before it is.
  expect(
    await waitForMessages(server.output, (m) => m.appname === app && /^end$|"msg":"end"/.test(m.msg), 1),
  ).toHaveLength(1);
  const all = parsedMessages(server.output).slice(before);
  const forged = all.filter((m) => m.hostname === 'forged-host' || m.msgid === 'FORGED');
  return { count, mine: all.filter((m) => m.appname === app), forged, stats };
}

describe.skipIf(RSYSLOGD === undefined)('messages longer than rsyslog takes', () => {
  for (const framing of ['octet-counting', 'lf'] as const) {
    it(`tcp, ${framing}, default limit: no value can forge a message; each record is one, cut, counted`, async () => {
      const app = `over-${framing}`;
      const { count, mine, forged, stats } = await sendSweep(app, { framing }, (pad) => `${'x'.repeat(pad)}${FORGED}`);
      expect(forged).toEqual([]);
      expect(mine).toHaveLength(count + 1);
      expect(stats.truncated).toBeGreaterThan(0);
      expect(stats).toMatchObject({ delivered: count + 1, failed: 0 });
    });
  }

  it('lf: newlines written as "\\n" count towards the limit (the cut comes after escaping)', async () => {
    const { count, mine, forged, stats } = await sendSweep(
      'over-lf-newlines',
      { framing: 'lf', formatter: raw, maxMessageBytes: 8096 },
      // 100 newlines become 200 characters: under the limit before escaping, over it after.
      (pad) => `${'\n'.repeat(100)}${'x'.repeat(pad - 100)}${FORGED}`,
    );
    expect(forged).toEqual([]);
    expect(mine).toHaveLength(count + 1);
    expect(mine.slice(0, -1).every((m) => m.msg.startsWith('\\n'.repeat(100)))).toBe(true);
    expect(stats.truncated).toBeGreaterThan(0);
  });
});
