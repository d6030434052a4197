import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLogger, type SyslogStats, SyslogTransport } from '../../../src/index.js';
import { deadPort } from '../http/receiver.js';
import { sharedRsyslog, waitForMessages } from './rsyslog.js';

// maxMessageBytes: what a datagram can hold, what is counted, what code may pass.

const rsyslog = sharedRsyslog();

type Stats = SyslogStats & { delivered: number; failed: number; pending: number };

describe('truncation', () => {
  it.skipIf(rsyslog === undefined)('udp: a limit over 65,507 bytes (no datagram holds more) cuts there', async () => {
    const app = `udp-big-${randomUUID().slice(0, 8)}`;
    const log = createLogger({
      exitFlush: false,
      base: null,
      transports: [
        {
          type: 'syslog',
          protocol: 'udp',
          port: rsyslog!.udp,
          appName: app,
          maxMessageBytes: 100_000,
          retry: { baseMs: 10, maxAttempts: 3 },
        },
      ],
    });
    log.info('x'.repeat(70_000));
    log.info('small');
    await log.flush({ timeoutMs: 5000 });
    const stats = log.stats().targets[0] as unknown as Stats;
    await log.close();
    // Before, the send failed (EMSGSIZE), again at every attempt, and the record failed.
    expect(stats).toMatchObject({ delivered: 2, failed: 0, truncated: 1 });
    const got = await waitForMessages(rsyslog!.output, (m) => m.appname === app, 2);
    expect(got).toHaveLength(2);
  });

  it('a record cut is counted once, however many attempts it takes', async () => {
    const log = createLogger({
      exitFlush: false,
      base: null,
      transports: [{ type: 'syslog', port: await deadPort(), retry: { baseMs: 5, maxMs: 10, maxAttempts: 4 } }],
    });
    log.info('x'.repeat(10_000));
    await log.flush({ timeoutMs: 5000 });
    const stats = log.stats().targets[0] as unknown as Stats;
    await log.close();
    expect(stats).toMatchObject({ failed: 1, truncated: 1 });
  });

  it('maxMessageBytes from code is checked as in a config: an integer of at least 480', () => {
    for (const bad of [0, 100, Number.NaN, 1000.5]) {
      expect(() => new SyslogTransport({ maxMessageBytes: bad }), String(bad)).toThrow(/maxMessageBytes/);
    }
    expect(() => new SyslogTransport({ maxMessageBytes: 480 }).close()).not.toThrow();
    // 36 bytes of PRI, version, timestamp and spaces, 255 + 48 (from \`name\`) + 128 + 32, and " -".
    const long = { hostname: 'h'.repeat(255), procId: 'p'.repeat(128), msgIdField: 'event' };
    expect(() => new SyslogTransport({ ...long, maxMessageBytes: 480 })).toThrow(/must be at least 501: the header/);
    expect(() => new SyslogTransport({ ...long, maxMessageBytes: 501 }).close()).not.toThrow();
  });
});
