import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/index.js';
import { tempFolder } from '../http/receiver.js';
import { relpLogger as relpTestLogger } from './relp-logger.js';
import { relpRestartMidStream } from './relp-restart.js';
import { makeCertificates, type Parsed, parsedMessages, Rsyslog, sharedRsyslog, waitForMessages } from './rsyslog.js';

// protocol relp with tls: the RELP session over a TLS connection, through a real rsyslogd's
// imrelp with tls="on" (librelp's GnuTLS; it checks our client certificate by name), and a
// receiver whose handshake never ends.

const rsyslog = sharedRsyslog();
const relpTlsPort = rsyslog?.relpTls;
if (relpTlsPort === undefined) {
  console.warn(
    '\n*** SKIPPING RELP over TLS: rsyslogd or its imrelp module is not installed (.ci/run installs them) ***\n',
  );
}

const loggers: Logger[] = [];
const folders: string[] = [];
const intervals: NodeJS.Timeout[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const interval of intervals.splice(0)) clearInterval(interval);
  await Promise.all(loggers.splice(0).map((log) => log.close({ timeoutMs: 2000 })));
  for (const server of servers.splice(0)) server.close();
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const state = { loggers, intervals, folders };

/** The test CA's client certificate and key, and `ca` (PEM) as the CA the receiver is checked against. */
function clientTls(dir: string, ca = readFileSync(join(dir, 'ca.pem'), 'utf8')) {
  return {
    ca,
    cert: readFileSync(join(dir, 'client.pem'), 'utf8'),
    key: readFileSync(join(dir, 'client.key'), 'utf8'),
  };
}

const byApp = (app: string) => (m: Parsed) => m.appname === app;
const indexOf = (m: Parsed) => (JSON.parse(m.msg) as { i: number }).i;

describe.skipIf(relpTlsPort === undefined)('protocol relp with tls through a real rsyslogd (imrelp tls="on")', () => {
  it('every record arrives, in order, each counted delivered on its acknowledgement', async () => {
    const app = `relp-tls-${randomUUID().slice(0, 8)}`;
    const { log, reasons, diagnostics, addedUp } = relpTestLogger(state, app, relpTlsPort!, {
      tls: clientTls(rsyslog!.dir),
      relpWindow: 16,
    });
    const count = 300;
    for (let i = 0; i < count; i++) log.info({ i }, 'over tls');
    expect(await log.flush({ timeoutMs: 15_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: count, delivered: count, failed: 0, pending: 0 });
    expect(log.stats().targets[0]).toMatchObject({ connects: 1, drops: 0, possibleDuplicates: 0 });
    const got = await waitForMessages(rsyslog!.output, byApp(app), count);
    expect(got.map(indexOf)).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(new Set(got.map((m) => m.input))).toEqual(new Set(['imrelp']));
    expect(await log.close({ timeoutMs: 5000 })).toBe(true);
    expect(reasons()).toEqual([]);
    expect(diagnostics).toEqual([]);
    addedUp();
  }, 30_000);

  it('a receiver certificate the client does not trust: the records fail, saying so; none delivered', async () => {
    const dir = tempFolder('relp-tls-other-ca');
    folders.push(dir);
    // Another CA: the receiver's certificate is not signed by it.
    makeCertificates(dir, 'other-');
    const app = `relp-tls-bad-${randomUUID().slice(0, 8)}`;
    const { log, reasons, addedUp } = relpTestLogger(state, app, relpTlsPort!, {
      tls: clientTls(rsyslog!.dir, readFileSync(join(dir, 'other-ca.pem'), 'utf8')),
      retry: { baseMs: 10, maxMs: 20, maxAttempts: 2 },
    });
    for (let i = 0; i < 5; i++) log.info({ i }, 'untrusted');
    expect(await log.flush({ timeoutMs: 15_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 5, delivered: 0, failed: 5, pending: 0 });
    expect(log.stats().targets[0]).toMatchObject({ connects: 0, possibleDuplicates: 0 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reasons()).toHaveLength(5);
    for (const reason of reasons()) {
      expect(reason).toMatch(/the TLS handshake with 127\.0\.0\.1:\d+ failed: .*(certificate|issuer)/);
    }
    // Nothing of ours reached rsyslog.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(parsedMessages(rsyslog!.output).filter(byApp(app))).toEqual([]);
    addedUp();
  }, 30_000);

  it('no client certificate, which imrelp wants: the records fail, saying what it may be; none delivered', async () => {
    const app = `relp-tls-nocert-${randomUUID().slice(0, 8)}`;
    const { log, reasons, addedUp } = relpTestLogger(state, app, relpTlsPort!, {
      tls: { ca: readFileSync(join(rsyslog!.dir, 'ca.pem'), 'utf8') },
      retry: { baseMs: 10, maxMs: 20, maxAttempts: 2 },
    });
    for (let i = 0; i < 5; i++) log.info({ i }, 'no client certificate');
    expect(await log.flush({ timeoutMs: 15_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 5, delivered: 0, failed: 5, pending: 0 });
    expect(log.stats().targets[0]).toMatchObject({ connects: 0, possibleDuplicates: 0 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reasons()).toHaveLength(5);
    for (const reason of reasons()) expect(reason).toMatch(/before answering open; over TLS, .*client certificate/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(parsedMessages(rsyslog!.output).filter(byApp(app))).toEqual([]);
    addedUp();
  }, 30_000);

  it('rsyslog restarted mid-stream: every record arrives, none counted before rsyslog acknowledged it', async () => {
    const dir = tempFolder('relp-tls-restart');
    folders.push(dir);
    const server = await Rsyslog.create(dir);
    await server.start();
    const app = `relp-tls-rs-${randomUUID().slice(0, 8)}`;
    let log: Logger | undefined;
    try {
      ({ log } = await relpRestartMidStream(server, server.ports.relpTls!, app, loggers, { tls: clientTls(dir) }));
      expect(log.stats().targets[0]).toMatchObject({ connects: 2 });
    } finally {
      await log?.close({ timeoutMs: 2000 });
      await server.stop();
    }
  }, 60_000);
});

describe.skipIf(relpTlsPort === undefined)('protocol relp with tls, server-only (imrelp with OpenSSL)', () => {
  it('a client with only the CA: every record arrives, each counted delivered', async () => {
    const dir = tempFolder('relp-tls-server-only');
    folders.push(dir);
    const server = await Rsyslog.create(dir, '64k', 'server-only');
    await server.start();
    try {
      const app = `relp-tls-so-${randomUUID().slice(0, 8)}`;
      const { log, reasons, addedUp } = relpTestLogger(state, app, server.ports.relpTls!, {
        tls: { ca: readFileSync(join(dir, 'ca.pem'), 'utf8') },
      });
      for (let i = 0; i < 50; i++) log.info({ i }, 'server-only tls');
      expect(await log.flush({ timeoutMs: 15_000 })).toBe(true);
      expect(log.stats()).toMatchObject({ logged: 50, delivered: 50, failed: 0, pending: 0 });
      const got = await waitForMessages(server.output, byApp(app), 50);
      expect(got.map(indexOf)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(reasons()).toEqual([]);
      addedUp();
      expect(await log.close({ timeoutMs: 5000 })).toBe(true);
    } finally {
      await server.stop();
    }
  }, 30_000);
});

describe('protocol relp with tls: a receiver whose TLS handshake never ends', () => {
  it('each attempt fails at connectTimeoutMs, nothing sent, no possible duplicate', async () => {
    // Takes the connection and reads the ClientHello, never answers it.
    let connections = 0;
    const firstBytes: number[] = [];
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      connections++;
      sockets.push(socket);
      socket.on('error', () => {});
      socket.once('data', (chunk: Buffer) => firstBytes.push(chunk[0]!));
      socket.resume();
    });
    server.on('close', () => {
      for (const socket of sockets) socket.destroy();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const { log, reasons, addedUp } = relpTestLogger(state, 'relp-tls-silent', port, {
      tls: { rejectUnauthorized: true },
      connectTimeoutMs: 100,
      retry: { baseMs: 10, maxMs: 20, maxAttempts: 3 },
    });
    for (let i = 0; i < 4; i++) log.info({ i }, 'no handshake');
    expect(await log.flush({ timeoutMs: 15_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 4, delivered: 0, failed: 4, pending: 0 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reasons()[0]).toMatch(/could not open a RELP session with 127\.0\.0\.1:\d+ within 100 ms/);
    expect(connections).toBe(3);
    // Each connection began a TLS handshake (a handshake record, 0x16), not RELP's `1 open`.
    expect(firstBytes).toEqual([0x16, 0x16, 0x16]);
    expect(log.stats().targets[0]).toMatchObject({ connects: 0, possibleDuplicates: 0 });
    addedUp();
  }, 30_000);
});
