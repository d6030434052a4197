import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, SyslogTransport } from '../../../src/index.js';
import { makeCertificates } from './rsyslog.js';

// The `syslog` config entry: what it accepts, and ConfigErrors that name the JSON path.

function make(entry: Record<string, unknown>) {
  return createLogger({ exitFlush: false, transports: [{ type: 'memory' }, { type: 'syslog', ...entry }] });
}

describe('the syslog config entry', () => {
  it('builds a SyslogTransport from the issue’s example entry', async () => {
    const log = make({
      protocol: 'tcp',
      host: '127.0.0.1',
      port: 514,
      facility: 'local0',
      appName: 'api',
      framing: 'octet-counting',
    });
    expect(log.stats().targets[1]).toMatchObject({ type: 'syslog', connects: 0, truncated: 0 });
    await log.close({ timeoutMs: 100 });
  });

  const refused: [string, Record<string, unknown>, RegExp][] = [
    ['an unknown protocol', { protocol: 'beep' }, /^transports\[1\]\.protocol: /],
    ['an unknown facility', { facility: 'local9' }, /^transports\[1\]\.facility: expected a facility: kern, user/],
    ['facility 24', { facility: 24 }, /^transports\[1\]\.facility: /],
    ['port 0', { port: 0 }, /^transports\[1\]\.port: /],
    [
      'an SD-ID with a space',
      { structuredData: { 'my id': ['a'] } },
      /^transports\[1\]\.structuredData\["my id"\]: (invalid key: )?expected an SD-ID/,
    ],
    ['an SD element with no fields', { structuredData: { 'a@1': [] } }, /^transports\[1\]\.structuredData\["a@1"\]: /],
    [
      'tls settings without protocol tls',
      { tls: { ca: 'x' } },
      /^transports\[1\]\.tls: tls settings need "protocol": "tls", or "relp" \(RELP over TLS\)/,
    ],
    ['tls settings with udp', { protocol: 'udp', tls: { ca: 'x' } }, /^transports\[1\]\.tls: tls settings need/],
    [
      'framing with udp',
      { protocol: 'udp', framing: 'lf' },
      /^transports\[1\]\.framing: framing applies to tcp and tls/,
    ],
    [
      'framing with relp',
      { protocol: 'relp', framing: 'octet-counting' },
      /^transports\[1\]\.framing: framing applies to tcp and tls; udp sends one message per datagram, relp one/,
    ],
    ['a relpWindow without relp', { relpWindow: 8 }, /^transports\[1\]\.relpWindow: relpWindow needs "protocol"/],
    ['a relpWindow of 0', { protocol: 'relp', relpWindow: 0 }, /^transports\[1\]\.relpWindow: /],
    [
      'a maximum below 480 bytes',
      { maxMessageBytes: 100 },
      /^transports\[1\]\.maxMessageBytes: expected a whole number of at least 480/,
    ],
    [
      'a maximum the header alone can pass',
      { maxMessageBytes: 480, hostname: 'h'.repeat(255), procId: 'p'.repeat(128), msgIdField: 'event' },
      /^transports\[1\]\.maxMessageBytes: expected at least 501 bytes: the header can take that many/,
    ],
    [
      'a maximum with a part of a byte',
      { maxMessageBytes: 1000.5 },
      /^transports\[1\]\.maxMessageBytes: expected a whole number of at least 480/,
    ],
    ['an unknown option', { facilty: 'user' }, /^transports\[1\]/],
  ];
  for (const [what, entry, message] of refused) {
    it(`refuses ${what}, naming the path`, () => {
      expect(() => make(entry)).toThrow(message);
    });
  }

  it('a maximum in units is cut to whole bytes, never rounded past what was asked ("1.7KB" is 1740)', async () => {
    const receiver = createSocket('udp4');
    const sizes: number[] = [];
    receiver.on('message', (datagram) => sizes.push(datagram.length));
    await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
    const log = createLogger({
      exitFlush: false,
      transports: [{ type: 'syslog', protocol: 'udp', port: receiver.address().port, maxMessageBytes: '1.7KB' }],
    });
    log.info('x'.repeat(5000));
    await log.flush({ timeoutMs: 5000 });
    const deadline = Date.now() + 5000;
    while (sizes.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await log.close();
    receiver.close();
    expect(sizes).toEqual([1740]);
  });

  it('reads tls.ca from a file relative to the config; a missing file is a ConfigError naming the entry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-syslog-config-'));
    makeCertificates(dir);
    const config = join(dir, 'streamlog.json');
    writeFileSync(
      config,
      JSON.stringify({ exitFlush: false, transports: [{ type: 'syslog', protocol: 'tls', tls: { ca: 'ca.pem' } }] }),
    );
    const log = createLogger(config);
    await log.close({ timeoutMs: 100 });
    expect(() => make({ protocol: 'tls', tls: { ca: 'missing.pem' } })).toThrow(
      /^transports\[1\]\.tls\.ca: expected PEM text or a file to read \(could not read missing\.pem/,
    );
    // PEM Node cannot use is refused now, at its path: before, each batch failed as if the
    // network had, retried and parked for ever ("PEM routines::no start line").
    const pem = (tls: object) => ({ exitFlush: false, transports: [{ type: 'syslog', protocol: 'tls', tls }] });
    writeFileSync(join(dir, 'cut.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    writeFileSync(config, JSON.stringify(pem({ ca: 'cut.pem' })));
    expect(() => createLogger(config)).toThrow(/transports\[0\]\.tls\.ca: expected PEM certificates Node can read/);
    writeFileSync(config, JSON.stringify(pem({ ca: 'ca.pem', cert: 'client.pem', key: 'server.key' })));
    expect(() => createLogger(config)).toThrow(/transports\[0\]\.tls\.key: expected the private key of tls\.cert/);
    writeFileSync(config, JSON.stringify(pem({ ca: 'ca.pem', cert: 'client.pem', key: 'client.key' })));
    await createLogger(config).close({ timeoutMs: 100 });
    // OpenSSL's "TRUSTED CERTIFICATE" form is a ca Node takes; an encrypted key needs a passphrase none is given for.
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    openssl('x509', '-in', 'ca.pem', '-addtrust', 'serverAuth', '-out', 'trusted.pem');
    openssl('pkey', '-in', 'client.key', '-aes256', '-passout', 'pass:secret', '-out', 'encrypted.key');
    writeFileSync(config, JSON.stringify(pem({ ca: 'trusted.pem' })));
    await createLogger(config).close({ timeoutMs: 100 });
    writeFileSync(config, JSON.stringify(pem({ ca: 'ca.pem', cert: 'client.pem', key: 'encrypted.key' })));
    expect(() => createLogger(config)).toThrow(/tls\.key: expected a private key that is not encrypted/);
    // The older PKCS#1 form says so in a header (it said "bad decrypt", without the hint).
    openssl('rsa', '-in', 'client.key', '-aes256', '-traditional', '-passout', 'pass:secret', '-out', 'old.key');
    writeFileSync(config, JSON.stringify(pem({ ca: 'ca.pem', cert: 'client.pem', key: 'old.key' })));
    expect(() => createLogger(config)).toThrow(/tls\.key: expected a private key that is not encrypted/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('tls PEM: a key of another type, a TRUSTED CERTIFICATE of garbage, X509 CERTIFICATE, many cut blocks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-syslog-config-'));
    makeCertificates(dir);
    const config = join(dir, 'streamlog.json');
    const pem = (tls: object) => ({ exitFlush: false, transports: [{ type: 'syslog', protocol: 'tls', tls }] });
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    const refusal = (tls: object): string => {
      writeFileSync(config, JSON.stringify(pem(tls)));
      try {
        void createLogger(config).close({ timeoutMs: 100 });
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    };
    // Before: accepted (createSecureContext keeps each key type apart), and the handshake sent no certificate.
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ec.key');
    expect(refusal({ ca: 'ca.pem', cert: 'client.pem', key: 'ec.key' })).toMatch(
      /transports\[0\]\.tls\.key: expected the private key of tls\.cert \(it is another key\)/,
    );
    // Before: a TRUSTED CERTIFICATE was never read, so garbage passed and Node trusted nothing.
    writeFileSync(
      join(dir, 'garbage.pem'),
      '-----BEGIN TRUSTED CERTIFICATE-----\nAAAAAAAA\n-----END TRUSTED CERTIFICATE-----\n',
    );
    expect(refusal({ ca: 'garbage.pem' })).toMatch(/tls\.ca: expected PEM certificates Node can read/);
    openssl('x509', '-in', 'ca.pem', '-addtrust', 'serverAuth', '-out', 'trusted.pem');
    expect(refusal({ ca: 'trusted.pem' })).toBe('accepted');
    // Before: refused, though Node reads the old label and trusts it.
    const old = readFileSync(join(dir, 'ca.pem'), 'utf8').replace(/(BEGIN|END) CERTIFICATE/g, '$1 X509 CERTIFICATE');
    writeFileSync(join(dir, 'old.pem'), old);
    expect(refusal({ ca: 'old.pem' })).toBe('accepted');
    // A stray BEGIN line of any kind ends OpenSSL's reading, and Node trusts nothing after it: refused
    // (a check that skipped it said valid while every handshake failed). One inside a line is no BEGIN line.
    const ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
    writeFileSync(join(dir, 'stray.pem'), `-----BEGIN X509 CRL-----\n${ca}`);
    expect(refusal({ ca: 'stray.pem' })).toMatch(/tls\.ca: .*-----BEGIN X509 CRL----- line without its END line/);
    writeFileSync(join(dir, 'between.pem'), `${ca}-----BEGIN RSA PRIVATE KEY-----\n${ca}`);
    expect(refusal({ ca: 'between.pem' })).toMatch(/-----BEGIN RSA PRIVATE KEY----- line without its END line/);
    writeFileSync(join(dir, 'inline.pem'), `a note: -----BEGIN X509 CRL----- (none here)\n${ca}`);
    expect(refusal({ ca: 'inline.pem' })).toBe('accepted');
    // 16,000 BEGIN lines with no END: refused in one pass (it took seconds, growing 4x per doubling).
    writeFileSync(join(dir, 'begins.pem'), '-----BEGIN CERTIFICATE-----\n'.repeat(16_000));
    expect(refusal({ ca: 'begins.pem' })).toMatch(/tls\.ca: expected PEM certificates Node can read \(a -----BEGIN/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds a relp target with its window', async () => {
    const log = make({ protocol: 'relp', port: 2514, relpWindow: 16, timeoutMs: '5s' });
    expect(log.stats().targets[1]).toMatchObject({ type: 'syslog', connects: 0, drops: 0 });
    await log.close({ timeoutMs: 100 });
    expect(() => new SyslogTransport({ protocol: 'relp', relpWindow: 1.5 })).toThrow(/relpWindow must be an integer/);
    // From code as from a config: at most 100,000 (the docs' range).
    expect(() => new SyslogTransport({ protocol: 'relp', relpWindow: 1e9 })).toThrow(
      /from 1 to 100000, not 1000000000/,
    );
    expect(new SyslogTransport({ protocol: 'relp', relpWindow: 100_000 }).type).toBe('syslog');
  });

  it('builds a relp target over TLS, reading its PEM files relative to the config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-syslog-config-'));
    makeCertificates(dir);
    const config = join(dir, 'streamlog.json');
    const entry = { type: 'syslog', protocol: 'relp', port: 2514, tls: { ca: 'ca.pem' } };
    writeFileSync(config, JSON.stringify({ exitFlush: false, transports: [entry] }));
    const log = createLogger(config);
    expect(log.stats().targets[0]).toMatchObject({ type: 'syslog', connects: 0 });
    await log.close({ timeoutMs: 100 });
    expect(() => make({ protocol: 'relp', tls: { ca: 'missing.pem' } })).toThrow(
      /^transports\[1\]\.tls\.ca: expected PEM text or a file to read \(could not read missing\.pem/,
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it('a facility number from code is checked too', () => {
    expect(() => new SyslogTransport({ facility: 99 })).toThrow(/unknown syslog facility 99/);
  });
});
