import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../setup/free-port.js';

// A real rsyslogd for the syslog transport's tests: its own config, work folder, pid file and
// free loopback ports (no imuxsock or imklog: the system's /dev/log and /var/run are left
// alone), a plain TCP, a UDP, a TLS (gtls driver) and, where the imrelp module is installed
// (Debian's rsyslog-relp), a RELP listener and a RELP-over-TLS one (librelp's GnuTLS, which
// wants a client certificate: the test CA's `client.pem`, named streamlog-client), and every
// message it parses written as one JSON line of its fields. Stopped by PID.

export const RSYSLOGD = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((path) => existsSync(path));

/** Whether rsyslogd can load imrelp: the RELP tests skip, loudly, where it cannot. */
export const IMRELP =
  RSYSLOGD !== undefined &&
  ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib', '/usr/lib64'].some((lib) =>
    existsSync(join(lib, 'rsyslog', 'imrelp.so')),
  );

export interface RsyslogPorts {
  tcp: number;
  udp: number;
  tls: number;
  /** Absent where imrelp is not installed. */
  relp?: number;
  /** RELP over TLS; absent where imrelp is not installed. */
  relpTls?: number;
}

/** What the tests need to reach an rsyslogd and read what it took (JSON in $STREAMLOG_RSYSLOG). */
export interface RsyslogInfo extends RsyslogPorts {
  dir: string;
  output: string;
  ca: string;
  pid: number;
}

/** One message as rsyslog parsed it. */
export interface Parsed {
  pri: string;
  hostname: string;
  appname: string;
  procid: string;
  msgid: string;
  sd: string;
  time: string;
  msg: string;
  input: string;
}

const TEMPLATE = ['pri', 'hostname', 'app-name', 'procid', 'msgid', 'structured-data', 'msg', 'inputname']
  .map((name) => {
    const out = { 'app-name': 'appname', 'structured-data': 'sd', inputname: 'input' }[name] ?? name;
    return `  property(outname="${out}" name="${name}" format="jsonf")`;
  })
  .concat('  property(outname="time" name="timereported" dateFormat="rfc3339" format="jsonf")');

/**
 * How the RELP-over-TLS listener checks clients: `client-certificate`, librelp's GnuTLS wanting a
 * client certificate named streamlog-client; `server-only`, librelp's OpenSSL taking a client
 * without one (the TLS library is imrelp's module setting: the plain RELP listener uses it too).
 */
export type RelpTlsMode = 'client-certificate' | 'server-only';

/** `maxMessageSize`: null for rsyslog's default (8096 bytes). */
export function rsyslogConfig(
  dir: string,
  ports: RsyslogPorts,
  maxMessageSize: string | null = '64k',
  relpTls: RelpTlsMode = 'client-certificate',
): string {
  const max = maxMessageSize === null ? '' : ` maxMessageSize="${maxMessageSize}"`;
  return [
    // Control characters kept as they came: a multi-line message must read back as one.
    `global(workDirectory="${dir}/work" parser.escapeControlCharactersOnReceive="off"${max}`,
    `  defaultNetstreamDriverCAFile="${dir}/ca.pem"`,
    `  defaultNetstreamDriverCertFile="${dir}/server.pem"`,
    `  defaultNetstreamDriverKeyFile="${dir}/server.key")`,
    'module(load="imtcp" maxSessions="500")',
    'module(load="imudp")',
    ...(ports.relp === undefined
      ? []
      : [
          relpTls === 'server-only' ? 'module(load="imrelp" tls.tlslib="openssl")' : 'module(load="imrelp")',
          `input(type="imrelp" address="127.0.0.1" port="${ports.relp}")`,
        ]),
    ...(ports.relpTls === undefined
      ? []
      : [
          `input(type="imrelp" address="127.0.0.1" port="${ports.relpTls}" tls="on"`,
          `  tls.caCert="${dir}/ca.pem" tls.myCert="${dir}/server.pem" tls.myPrivKey="${dir}/server.key"`,
          relpTls === 'server-only' ? ')' : '  tls.authMode="name" tls.permittedPeer=["streamlog-client"])',
        ]),
    `input(type="imtcp" address="127.0.0.1" port="${ports.tcp}")`,
    `input(type="imudp" address="127.0.0.1" port="${ports.udp}")`,
    `input(type="imtcp" address="127.0.0.1" port="${ports.tls}" name="tls"`,
    '  streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")',
    'template(name="fields" type="list" option.jsonf="on") {',
    ...TEMPLATE,
    '}',
    `action(type="omfile" file="${dir}/out.jsonl" template="fields")`,
    '',
  ].join('\n');
}

/**
 * A self-signed CA, a server certificate for 127.0.0.1 and localhost and a client certificate
 * named streamlog-client, made with openssl (`prefix` names the files: `ca.pem`, `server.pem`,
 * `server.key`, `client.pem`, `client.key`).
 */
export function makeCertificates(dir: string, prefix = ''): void {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const key = ['-newkey', 'rsa:2048', '-nodes'];
  const ca = `${prefix}ca`;
  run(
    'req',
    '-x509',
    ...key,
    '-keyout',
    `${ca}.key`,
    '-out',
    `${ca}.pem`,
    '-days',
    '2',
    '-subj',
    '/CN=streamlog test CA',
  );
  const signed = (name: string, subject: string, san: string) => {
    writeFileSync(join(dir, `${prefix}${name}.cnf`), `subjectAltName=${san}\n`);
    run('req', ...key, '-keyout', `${prefix}${name}.key`, '-out', `${prefix}${name}.csr`, '-subj', `/CN=${subject}`);
    const sign = ['-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2'];
    const out = ['-out', `${prefix}${name}.pem`, '-extfile', `${prefix}${name}.cnf`];
    run('x509', '-req', '-in', `${prefix}${name}.csr`, ...sign, ...out);
  };
  signed('server', 'localhost', 'DNS:localhost,IP:127.0.0.1');
  signed('client', 'streamlog-client', 'DNS:streamlog-client');
}

export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** An rsyslogd of our own: started (and restarted) on the same ports, stopped by PID. */
export class Rsyslog {
  private child: ChildProcess | undefined;
  readonly output: string;

  constructor(
    readonly dir: string,
    readonly ports: RsyslogPorts,
  ) {
    this.output = join(dir, 'out.jsonl');
  }

  /** `maxMessageSize` as rsyslog writes it ("64k", the default); null for rsyslog's own default. */
  static async create(
    dir: string,
    maxMessageSize: string | null = '64k',
    relpTls: RelpTlsMode = 'client-certificate',
  ): Promise<Rsyslog> {
    mkdirSync(join(dir, 'work'), { recursive: true });
    makeCertificates(dir);
    const ports: RsyslogPorts = { tcp: await freePort(), udp: await freeUdpPort(), tls: await freePort() };
    if (IMRELP) {
      ports.relp = await freePort();
      ports.relpTls = await freePort();
    }
    writeFileSync(join(dir, 'rsyslog.conf'), rsyslogConfig(dir, ports, maxMessageSize, relpTls));
    return new Rsyslog(dir, ports);
  }

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  async start(): Promise<void> {
    const pidFile = join(this.dir, 'rsyslogd.pid');
    const child = spawn(RSYSLOGD!, ['-n', '-f', join(this.dir, 'rsyslog.conf'), '-i', pidFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    this.child = child;
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) throw new Error(`rsyslogd exited (${child.exitCode}): ${stderr}`);
      const relp =
        (this.ports.relp === undefined || (await listening(this.ports.relp))) &&
        (this.ports.relpTls === undefined || (await listening(this.ports.relpTls)));
      if ((await listening(this.ports.tcp)) && (await listening(this.ports.tls)) && relp) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const ports = [this.ports.tcp, this.ports.tls, this.ports.relp, this.ports.relpTls]
      .filter((p) => p !== undefined)
      .join(', ');
    throw new Error(`rsyslogd did not listen on ${ports}: ${stderr}`);
  }

  /** SIGTERM by PID; rsyslogd writes out what it took before it exits. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(child.pid!, 'SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Every message rsyslog wrote out so far, parsed. */
export function parsedMessages(output: string): Parsed[] {
  if (!existsSync(output)) return [];
  const lines = readFileSync(output, 'utf8').split('\n');
  // The last piece is a line rsyslog is still writing (or ''): read next time.
  lines.pop();
  return lines.map((line) => {
    try {
      return JSON.parse(line) as Parsed;
    } catch {
      throw new Error(`rsyslog wrote a line that is not JSON: ${JSON.stringify(line)}`);
    }
  });
}

/** Waits until `count` messages matching `match` are in the output (or the time is up); returns them. */
export async function waitForMessages(
  output: string,
  match: (m: Parsed) => boolean,
  count: number,
  timeoutMs = 15_000,
): Promise<Parsed[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = parsedMessages(output).filter(match);
    if (found.length >= count || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The shared rsyslogd the global setup started, or undefined (tests then skip, loudly). */
export function sharedRsyslog(): RsyslogInfo | undefined {
  const info = process.env.STREAMLOG_RSYSLOG;
  return info === undefined ? undefined : (JSON.parse(info) as RsyslogInfo);
}
