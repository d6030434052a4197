import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../../../src/index.js';
import { expectAddsUp, tempFolder } from '../http/receiver.js';
import { makeCertificates } from './rsyslog.js';

// protocol tls against a receiver that refuses the client after the handshake: one that wants a
// client certificate we do not have (RFC 5425's mutual authentication; syslog-ng's
// peer-verify(required-trusted) answers with an alert, rsyslog's gtls driver with authMode
// x509/name resets the connection, checked by hand against 8.2302). Under TLS 1.3 the client's
// handshake is over before the receiver says no, so the socket takes the records; syslog over
// TLS has no acknowledgement, so they count delivered (docs/open-work.md) and nothing reached
// the receiver. At least the refusal must be said, with its reason, not silently dropped.

const servers: Server[] = [];
const loggers: Logger[] = [];
const folders: string[] = [];
afterEach(async () => {
  await Promise.all(loggers.splice(0).map((log) => log.close({ timeoutMs: 1000 })));
  for (const server of servers.splice(0)) server.close();
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function refusingReceiver(how: 'alert' | 'reset'): Promise<{ port: number; ca: string; got: () => number }> {
  const dir = tempFolder('syslog-tls-refused');
  folders.push(dir);
  makeCertificates(dir);
  let got = 0;
  const secureContext = createSecureContext({
    cert: readFileSync(join(dir, 'server.pem')),
    key: readFileSync(join(dir, 'server.key')),
    ca: readFileSync(join(dir, 'ca.pem')),
  });
  const server = createServer((raw) => {
    raw.on('error', () => {});
    // alert: OpenSSL ends the handshake with "certificate required" (alert 116).
    const want = how === 'alert';
    const socket = new TLSSocket(raw, { isServer: true, secureContext, requestCert: want, rejectUnauthorized: want });
    socket.on('error', () => {});
    socket.on('data', (data: Buffer) => {
      got += data.length;
    });
    // reset: the handshake finishes, the peer is found wanting, the connection is reset.
    socket.on('secure', () => {
      if (how === 'reset') raw.resetAndDestroy();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    ca: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    got: () => got,
  };
}

describe('protocol tls: a receiver that refuses the client after the handshake', () => {
  for (const how of ['alert', 'reset'] as const) {
    it(`${how}: the refusal is reported as a diagnostic with its reason`, async () => {
      const receiver = await refusingReceiver(how);
      const log = createLogger({
        exitFlush: false,
        base: null,
        transports: [
          { type: 'syslog', protocol: 'tls', port: receiver.port, tls: { ca: receiver.ca }, batch: { intervalMs: 10 } },
        ],
      });
      loggers.push(log);
      const diagnostics: string[] = [];
      log.on('diagnostic', (message: string) => diagnostics.push(message));
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 10; i++) log.info({ i }, 'refused');
        await log.flush({ timeoutMs: 5000 });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expectAddsUp(log.stats());
      // The alert comes before the server reads a byte of ours (the reset may come after it read some).
      if (how === 'alert') expect(receiver.got()).toBe(0);
      const said = diagnostics.filter((message) => message.includes('syslog (tls)'));
      expect(said.length).toBeGreaterThan(0);
      expect(said[0]).toMatch(how === 'alert' ? /certificate required/ : /ECONNRESET/);
      expect(said[0]).toMatch(/client certificate/);
    });
  }
});
