import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, type Logger, type SyslogStats, SyslogTransport } from '../../../src/index.js';
import { tempFolder } from '../http/receiver.js';
import { type Parsed, Rsyslog, RSYSLOGD, sharedRsyslog, waitForMessages } from './rsyslog.js';

// Records sent over each protocol to a real rsyslogd (started by test/setup/rsyslog.ts), read
// back from the fields rsyslog parsed out of them.

const rsyslog = sharedRsyslog();
if (rsyslog === undefined) {
  console.warn('\n*** SKIPPING the rsyslog tests: rsyslogd is not installed (.ci/run installs it) ***\n');
}

const loggers: Logger[] = [];
afterAll(async () => {
  await Promise.all(loggers.map((log) => log.close({ timeoutMs: 2000 })));
});

function logger(entry: Record<string, unknown>): Logger {
  const log = createLogger({ exitFlush: false, base: null, transports: [{ type: 'syslog', ...entry }] });
  loggers.push(log);
  return log;
}

const byApp = (app: string) => (m: Parsed) => m.appname === app;

describe.skipIf(rsyslog === undefined)('the syslog transport against a real rsyslogd', () => {
  const info = rsyslog!;
  const protocols = [
    { protocol: 'tcp', port: () => info.tcp, extra: {} },
    { protocol: 'udp', port: () => info.udp, extra: {} },
    { protocol: 'tls', port: () => info.tls, extra: () => ({ tls: { ca: readFileSync(info.ca, 'utf8') } }) },
  ] as const;

  for (const { protocol, port, extra } of protocols) {
    it(`${protocol}: rsyslog reads PRI, hostname, app-name, procid, msgid, structured data, message`, async () => {
      const app = `t-${protocol}-${randomUUID().slice(0, 8)}`;
      const log = logger({
        protocol,
        port: port(),
        facility: 'local3',
        appName: app,
        hostname: 'web-1',
        procId: 'worker-2',
        msgIdField: 'event',
        structuredData: { 'req@32473': ['reqId', 'req.method'] },
        ...(typeof extra === 'function' ? extra() : extra),
      });
      log.info({ event: 'LOGIN', reqId: 'r"1]', req: { method: 'POST' } }, 'user logged in');
      log.warn({ event: 'SLOW' }, 'slow answer');
      log.error({ reqId: 'r3' }, 'failed');
      log.fatal('going down');
      log.debug('not logged: below info');
      expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
      const got = await waitForMessages(info.output, byApp(app), 4);
      expect(got.map((m) => [m.pri, m.msgid, m.sd])).toEqual([
        [String(19 * 8 + 6), 'LOGIN', '[req@32473 reqId="r\\"1\\]" req.method="POST"]'],
        [String(19 * 8 + 4), 'SLOW', '-'],
        [String(19 * 8 + 3), '-', '[req@32473 reqId="r3"]'],
        [String(19 * 8 + 2), '-', '-'],
      ]);
      expect(got.every((m) => m.hostname === 'web-1' && m.procid === 'worker-2')).toBe(true);
      // The message is the formatted record: the JSON line by default.
      expect(JSON.parse(got[0]!.msg)).toMatchObject({ level: 30, msg: 'user logged in', reqId: 'r"1]' });
      expect(got[0]!.input).toBe(protocol === 'udp' ? 'imudp' : protocol === 'tls' ? 'tls' : 'imtcp');
      expect(log.stats().targets[0]).toMatchObject({ delivered: 4, failed: 0, pending: 0 });
    });
  }

  /** A record whose MSG is its message as written: newlines and all. */
  function rawTransport(protocol: 'tcp' | 'tls', framing: 'octet-counting' | 'lf', app: string): SyslogTransport {
    return new SyslogTransport({
      protocol,
      port: protocol === 'tcp' ? info.tcp : info.tls,
      appName: app,
      framing,
      tls: protocol === 'tls' ? { ca: readFileSync(info.ca, 'utf8') } : undefined,
      formatter: { name: 'raw', format: (record) => `${record.msg}\n` },
    });
  }

  const stack = 'Error: boom\n    at handler (/app/server.js:10:5)\n    at process (node:internal/x:1:1)';

  for (const protocol of ['tcp', 'tls'] as const) {
    it(`${protocol}, octet-counting (the default): a stack trace stays one record, newlines kept`, async () => {
      const app = `ml-${protocol}-${randomUUID().slice(0, 8)}`;
      const log = createLogger({ exitFlush: false, transports: [rawTransport(protocol, 'octet-counting', app)] });
      loggers.push(log);
      log.error(stack);
      log.info('after');
      await log.flush();
      const got = await waitForMessages(info.output, byApp(app), 2);
      expect(got.map((m) => m.msg)).toEqual([stack, 'after']);
    });
  }

  it('lf framing: the newlines are escaped, so the stack trace is still one record', async () => {
    const app = `lf-${randomUUID().slice(0, 8)}`;
    const log = createLogger({ exitFlush: false, transports: [rawTransport('tcp', 'lf', app)] });
    loggers.push(log);
    log.error(stack);
    log.info('after');
    await log.flush();
    const got = await waitForMessages(info.output, byApp(app), 2);
    expect(got.map((m) => m.msg)).toEqual([stack.replaceAll('\n', '\\n'), 'after']);
  });

  it('udp: a message longer than maxMessageBytes arrives cut to it, and the cut is counted', async () => {
    const app = `big-${randomUUID().slice(0, 8)}`;
    const log = logger({ protocol: 'udp', port: info.udp, appName: app, maxMessageBytes: 1024 });
    log.info('x'.repeat(5000));
    log.info('small');
    await log.flush();
    const got = await waitForMessages(info.output, byApp(app), 2);
    expect(got).toHaveLength(2);
    // The datagram was 1024 bytes: header and the start of the JSON line.
    expect(got[0]!.msg.startsWith('{"level":30')).toBe(true);
    expect(got[0]!.msg.length).toBeLessThan(1024);
    expect(got[0]!.msg.length).toBeGreaterThan(900);
    expect(JSON.parse(got[1]!.msg)).toMatchObject({ msg: 'small' });
    expect((log.stats().targets[0] as unknown as SyslogStats).truncated).toBe(1);
  });

  it('a time rsyslog cannot parse as a timestamp (a year past 2099) is sent as the NILVALUE', async () => {
    const app = `years-${randomUUID().slice(0, 8)}`;
    const log = logger({ protocol: 'tcp', port: info.tcp, appName: app });
    const stream = log.stream({ format: 'object' });
    const days = ['1000-01-01', '1969-12-31', '2099-12-31', '2100-01-01', '9999-12-31'];
    for (const day of days) stream.write({ level: 30, time: Date.parse(`${day}T12:00:00.000Z`), msg: day });
    stream.end();
    await new Promise((resolve) => stream.on('finish', resolve));
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    const got = await waitForMessages(info.output, byApp(app), days.length);
    // Every header read as written; the years past 2099 dated by rsyslog's clock, the line keeping its own.
    expect(got.map((m) => JSON.parse(m.msg).msg)).toEqual(days);
    expect(got.slice(0, 3).map((m) => m.time)).toEqual(days.slice(0, 3).map((day) => `${day}T12:00:00.000Z`));
    expect(got.slice(3).every((m) => m.time.startsWith(String(new Date().getUTCFullYear())))).toBe(true);
  });

  it('a field whose getter throws: msgid and structured data say what the line says; its batch is sent', async () => {
    const app = `getter-${randomUUID().slice(0, 8)}`;
    const log = logger({
      protocol: 'tcp',
      port: info.tcp,
      appName: app,
      msgIdField: 'user',
      structuredData: { 'who@32473': ['user', 'big'] },
    });
    log.info({ user: 'alice' }, 'before');
    // A lazy session accessor that has expired by the time the batch is sent; a BigInt, as the line writes it.
    log.info(
      {
        get user() {
          throw new Error('session expired');
        },
        big: 10n,
      },
      'unreadable',
    );
    log.info({ user: 'bob' }, 'after');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    const got = await waitForMessages(info.output, byApp(app), 3);
    expect(got.map((m) => [m.msgid, m.sd, JSON.parse(m.msg).msg])).toEqual([
      ['alice', '[who@32473 user="alice"]', 'before'],
      // The line says the getter threw at the call (its value never read again at the send).
      [
        '[getter_threw:_session_expired]',
        '[who@32473 user="[getter threw: session expired\\]" big="10"]',
        'unreadable',
      ],
      ['bob', '[who@32473 user="bob"]', 'after'],
    ]);
    expect(log.stats()).toMatchObject({ logged: 3, delivered: 3, failed: 0 });
  });
});

describe.skipIf(RSYSLOGD === undefined)('rsyslog restarted mid-stream', () => {
  it('records logged while it was down arrive after the reconnection; none lost, none failed', async () => {
    const server = await Rsyslog.create(tempFolder('rsyslog-restart'));
    await server.start();
    try {
      const app = 'restart';
      const log = createLogger({
        exitFlush: false,
        base: null,
        transports: [
          {
            type: 'syslog',
            port: server.ports.tcp,
            appName: app,
            batch: { intervalMs: 10 },
            retry: { baseMs: 50, maxMs: 300, maxAttempts: 1000 },
          },
        ],
      });
      loggers.push(log);
      for (let i = 0; i < 100; i++) log.info({ i }, 'before');
      expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
      expect(await waitForMessages(server.output, byApp(app), 100)).toHaveLength(100);

      await server.stop();
      // The connection's end is seen before these are written: they wait for a new one.
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (let i = 100; i < 200; i++) log.info({ i }, 'during the outage');
      await new Promise((resolve) => setTimeout(resolve, 500));
      const during = log.stats().targets[0] as unknown as SyslogStats & { pending: number; delivered: number };
      expect(during.delivered).toBe(100);
      expect(during.pending).toBe(100);

      await server.start();
      expect(await log.flush({ timeoutMs: 15_000 })).toBe(true);
      const got = await waitForMessages(server.output, byApp(app), 200);
      const seen = got.map((m) => (JSON.parse(m.msg) as { i: number }).i);
      expect(new Set(seen).size).toBe(200);
      expect(log.stats().targets[0]).toMatchObject({ delivered: 200, failed: 0, pending: 0 });
      const stats = log.stats().targets[0] as unknown as SyslogStats;
      expect(stats.connects).toBe(2);
      expect(stats.retries).toBeGreaterThan(0);
    } finally {
      await server.stop();
      rmSync(server.dir, { recursive: true, force: true });
    }
  });
});
