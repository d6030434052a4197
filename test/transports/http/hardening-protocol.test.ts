import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/index.js';
import { reasonsLogger } from './counting-logger.js';
import { httpPreset } from '../../../src/transports/http/presets/index.js';
import { closeRawServersAfterEach, rawReceiver } from './receiver.js';

// Receivers that speak HTTP/1.1 badly, written byte by byte on a raw socket: answers with
// bytes after their end, protocol switches, bodies shorter than announced, redirects.

const servers: Server[] = [];
closeRawServersAfterEach(servers);

interface Raw {
  url: string;
  /** Every request body, in the order they were read whole. */
  bodies: string[];
}

/** A receiver that reads each request whole (by its Content-Length), then lets `answer` write to the socket. */
async function raw(answer: (socket: Socket, n: number, body: string) => void): Promise<Raw> {
  const state: Raw = { url: '', bodies: [] };
  state.url = await rawReceiver(servers, (socket) => {
    let buffer = Buffer.alloc(0);
    socket.on('data', (data) => {
      buffer = Buffer.concat([buffer, data]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length: *(\d+)/i.exec(buffer.subarray(0, end).toString())?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        const body = buffer.subarray(end + 4, end + 4 + length).toString();
        buffer = buffer.subarray(end + 4 + length);
        state.bodies.push(body);
        answer(socket, state.bodies.length, body);
      }
    });
  });
  return state;
}

function shipper(url: string, options: Record<string, unknown> = {}) {
  return reasonsLogger({
    url,
    batch: { maxRecords: 100, intervalMs: 10 },
    retry: { maxAttempts: 3, baseMs: 5, maxMs: 10 },
    ...options,
  });
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';

describe('bytes after a whole answer do not unsay it', () => {
  it('a 204 sent with a body (as a proxy might): delivered at the first attempt, not resent and failed', async () => {
    const r = await raw((socket) => socket.write('HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello'));
    const { log, reasons } = shipper(r.url);
    for (let i = 0; i < 300; i++) log.info({ i }, 'taken');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 300, delivered: 300, failed: 0, possibleDuplicates: 0 });
    expect(r.bodies.join('').split('\n').filter(Boolean)).toHaveLength(300);
    expect([...reasons]).toEqual([]);
    await log.close();
  });

  it('a bulk answer then stray bytes is read whole: its refused item fails, the others are delivered', async () => {
    const r = await raw((socket, _n, body) => {
      const ids = body
        .split('\n')
        .filter((line) => line.startsWith('{"create"'))
        .map((line) => JSON.parse(line).create._id as string);
      const items = ids.map((_id, i) => ({
        create: { _id, status: i === 1 ? 400 : 201, ...(i === 1 ? { error: { type: 'x', reason: 'bad' } } : {}) },
      }));
      const answer = JSON.stringify({ took: 1, errors: true, items });
      socket.write(
        `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(answer)}\r\n\r\n` +
          `${answer}garbage after the answer\r\n`,
      );
    });
    const { log } = shipper(r.url, { preset: 'elasticsearch' });
    for (let i = 0; i < 3; i++) log.info({ i }, 'bulk');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(r.bodies).toHaveLength(1);
    expect(log.stats()).toMatchObject({ logged: 3, delivered: 2, failed: 1, pending: 0 });
    await log.close();
  });
});

describe('answers that are no answer', () => {
  it('101 Switching Protocols: each attempt ends at once with that said, then the batch fails', async () => {
    const r = await raw((socket) =>
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n'),
    );
    // A long timeout: an attempt left waiting for an answer would outlast the flush below.
    const { log, reasons } = shipper(r.url, { timeoutMs: 60_000 });
    for (let i = 0; i < 5; i++) log.info({ i }, 'switched');
    expect(await log.flush({ timeoutMs: 20_000 })).toBe(true);
    expect(r.bodies).toHaveLength(3);
    expect(log.stats()).toMatchObject({ logged: 5, delivered: 0, failed: 5, pending: 0 });
    expect([...reasons]).toEqual([
      'gave up after 3 attempt(s): the server switched protocols (status 101) instead of answering',
    ]);
    await log.close();
  });

  it('a body shorter than its Content-Length, then close: retried as cut short, never delivered', async () => {
    const r = await raw((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort'));
    const { log, reasons } = shipper(r.url);
    for (let i = 0; i < 5; i++) log.info({ i }, 'cut');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(r.bodies).toHaveLength(3);
    expect(log.stats()).toMatchObject({ logged: 5, delivered: 0, failed: 5, pending: 0 });
    expect([...reasons]).toEqual(['gave up after 3 attempt(s): the answer was cut short (status 200)']);
    await log.close();
  });

  it('Content-Length with chunked, or a malformed status line: retried, then failed with the parse error', async () => {
    for (const answer of [
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
      'HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n',
    ]) {
      const r = await raw((socket) => socket.write(answer));
      const { log, reasons } = shipper(r.url);
      for (let i = 0; i < 5; i++) log.info({ i }, 'unreadable');
      expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
      expect(r.bodies).toHaveLength(3);
      expect(log.stats()).toMatchObject({ logged: 5, delivered: 0, failed: 5, pending: 0 });
      expect([...reasons][0]).toMatch(/^gave up after 3 attempt\(s\): Parse Error: /);
      await log.close();
    }
  });
});

describe('answers HTTP allows', () => {
  it('100 and 103 first, HTTP/1.0 bodies to the close, Connection: close every time: delivered', async () => {
    const answers = [
      `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n${OK}`,
      'HTTP/1.0 200 OK\r\n\r\ntaken, read to the close',
      'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok',
    ];
    for (const answer of answers) {
      const r = await raw((socket) => (answer.includes('1.1 100') ? socket.write(answer) : socket.end(answer)));
      const { log } = shipper(r.url);
      for (let i = 0; i < 1000; i++) log.info({ i }, 'fine');
      expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
      expect(r.bodies).toHaveLength(10);
      expect(log.stats()).toMatchObject({ logged: 1000, delivered: 1000, failed: 0, possibleDuplicates: 0 });
      await log.close();
    }
  });

  it('a redirect is not followed: the batch fails at once with its status, one request each', async () => {
    const target = await raw((socket) => socket.write(OK));
    for (const status of ['301 Moved Permanently', '302 Found', '307 Temporary Redirect', '308 Permanent Redirect']) {
      const r = await raw((socket) =>
        socket.write(`HTTP/1.1 ${status}\r\nLocation: ${target.url}\r\nContent-Length: 0\r\n\r\n`),
      );
      const { log, reasons } = shipper(r.url);
      for (let i = 0; i < 5; i++) log.info({ i }, 'moved');
      expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
      expect(r.bodies).toHaveLength(1);
      expect(log.stats()).toMatchObject({ logged: 5, delivered: 0, failed: 5, pending: 0 });
      expect([...reasons]).toEqual([`HTTP ${status.slice(0, 3)} (a redirect to ${target.url}, not followed)`]);
      await log.close();
    }
    expect(target.bodies).toHaveLength(0);
  });

  it('a redirect to credentials and a signed query: the reason quotes the Location without them', async () => {
    const r = await raw((socket) =>
      socket.write(
        'HTTP/1.1 308 Permanent Redirect\r\nContent-Length: 0\r\n' +
          'Location: https://svc:hunter2-secret@logs.example/v1?X-Amz-Signature=0a1b2c3d4e5f\r\n\r\n',
      ),
    );
    const { log, reasons } = shipper(r.url.replace('http://', 'http://svc:hunter2-secret@'));
    log.info('moved');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect([...reasons]).toEqual(['HTTP 308 (a redirect to https://logs.example/v1, not followed)']);
    await log.close();
  });

  it("a redirect whose body repeats the Location (Express's res.redirect): the body is not quoted", async () => {
    const location = 'https://uploader:Pa55word77@storage.example/bucket/obj?X-Amz-Signature=deadbeef&token=tok9876';
    const page = `<p>Found. Redirecting to <a href="${location}">${location}</a></p>`;
    const r = await raw((socket) =>
      socket.write(
        `HTTP/1.1 302 Found\r\nLocation: ${location}\r\nContent-Length: ${Buffer.byteLength(page)}\r\n\r\n${page}`,
      ),
    );
    const { log, reasons } = shipper(r.url);
    log.info('moved');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect([...reasons]).toEqual(['HTTP 302 (a redirect to https://storage.example/bucket/obj, not followed)']);
    await log.close();
  });
});

describe('the proxy environment', () => {
  it('HTTP_PROXY and http_proxy are not read: the records go straight to the url, the proxy sees nothing', async () => {
    const proxy = await raw((socket) => socket.write(OK));
    const target = await raw((socket) => socket.write(OK));
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy };
    process.env.HTTP_PROXY = proxy.url;
    process.env.http_proxy = proxy.url;
    try {
      const { log } = shipper(target.url);
      log.info('direct');
      expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
      expect(log.stats()).toMatchObject({ logged: 1, delivered: 1 });
      await log.close();
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    expect(target.bodies).toHaveLength(1);
    expect(proxy.bodies).toHaveLength(0);
  });
});

describe('hosts, compression and concurrency', () => {
  it('localhost and [::1] URLs deliver like 127.0.0.1', async () => {
    const r = await raw((socket) => socket.write(OK));
    const v6 = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.on('data', (data) => {
        if (data.includes('\r\n\r\n')) socket.write(OK);
      });
    });
    servers.push(v6);
    const listening = await new Promise<boolean>((resolve) => {
      v6.once('error', () => resolve(false));
      v6.listen(0, '::1', () => resolve(true));
    });
    const urls = [r.url.replace('127.0.0.1', 'localhost')];
    if (listening) urls.push(`http://[::1]:${(v6.address() as { port: number }).port}/ingest`);
    else console.warn('no IPv6 loopback here: the [::1] URL is not tried');
    for (const url of urls) {
      const { log } = shipper(url);
      log.info('by name');
      expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
      expect(log.stats()).toMatchObject({ logged: 1, delivered: 1, failed: 0 });
      await log.close();
    }
    expect(r.bodies).toHaveLength(1);
  });

  it('gzip to a receiver that answers 415: each batch fails at once with that said, one request each', async () => {
    const r = await raw((socket) =>
      socket.write('HTTP/1.1 415 Unsupported Media Type\r\nContent-Length: 16\r\n\r\nno gzip, please\n'),
    );
    const { log, reasons } = shipper(r.url, { compression: 'gzip' });
    for (let i = 0; i < 300; i++) log.info({ i, pad: 'x'.repeat(50) }, 'compressed');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(r.bodies).toHaveLength(3);
    expect(log.stats()).toMatchObject({ logged: 300, delivered: 0, failed: 300, pending: 0 });
    expect([...reasons]).toEqual(['HTTP 415: no gzip, please\n']);
    await log.close();
  });

  it('concurrency 4, answers in reverse order, every third a 503: each record delivered once, counted', async () => {
    const taken = new Map<number, number>();
    const take = (body: string) => {
      for (const line of body.split('\n').filter(Boolean)) {
        const { i } = JSON.parse(line) as { i: number };
        taken.set(i, (taken.get(i) ?? 0) + 1);
      }
    };
    let held: [Socket, number, string][] = [];
    const r = await raw((socket, n, body) => {
      held.push([socket, n, body]);
      if (held.length < 4) return;
      for (const [s, m, b] of held.reverse()) {
        if (m % 3 === 0) s.write('HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n');
        else {
          take(b);
          s.write(OK);
        }
      }
      held = [];
    });
    const { log } = shipper(r.url, { concurrency: 4, retry: { maxAttempts: 50, baseMs: 1, maxMs: 5 } });
    for (let i = 0; i < 4000; i++) log.info({ i }, 'in any order');
    const flushed = log.flush({ timeoutMs: 20_000 });
    // The last requests may be fewer than 4: answer whatever waits once nothing more comes.
    const timer = setInterval(() => {
      for (const [s, , b] of held.splice(0)) {
        take(b);
        s.write(OK);
      }
    }, 200);
    expect(await flushed).toBe(true);
    clearInterval(timer);
    expect(log.stats()).toMatchObject({ logged: 4000, delivered: 4000, failed: 0, pending: 0, possibleDuplicates: 0 });
    expect(r.bodies.length).toBeGreaterThan(40);
    expect(taken.size).toBe(4000);
    expect([...taken.values()].every((count) => count === 1)).toBe(true);
    await log.close();
  });
});

describe('the scheme as URLs read it', () => {
  it('HTTPS:// in capitals speaks TLS (a ClientHello arrives), not "Protocol not supported" every time', async () => {
    const firstBytes: number[] = [];
    const server = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', (data) => {
        firstBytes.push(data[0]!);
        socket.destroy();
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { log, reasons } = shipper(`HTTPS://127.0.0.1:${(server.address() as { port: number }).port}/ingest`);
    log.info('over tls');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 1, delivered: 0, failed: 1 });
    // 0x16: a TLS handshake record.
    expect(firstBytes).toEqual([0x16, 0x16, 0x16]);
    expect([...reasons][0]).not.toMatch(/not supported/);
    await log.close();
  });

  it('a tls block Node cannot use is a ConfigError at its path, not a network error every batch retries', () => {
    // Before, "PEM routines::no start line" failed each batch, taken for the network: retried,
    // parked in a spool for ever. `ca` of no certificate Node itself takes without a word.
    const entry = (tls: object) =>
      ({ exitFlush: false, transports: [{ type: 'http', url: 'https://127.0.0.1:1/', tls }] }) as never;
    const junk = '-----BEGIN CERTIFICATE-----\njunk\n-----END CERTIFICATE-----\n';
    expect(() => createLogger(entry({ ca: junk }))).toThrow(/transports\[0\]\.tls\.ca: expected PEM certificates/);
    expect(() => createLogger(entry({ cert: junk }))).toThrow(/transports\[0\]\.tls\.cert: expected a PEM certificate/);
    expect(() => createLogger(entry({ key: junk.replaceAll('CERTIFICATE', 'PRIVATE KEY') }))).toThrow(
      /transports\[0\]\.tls\.key: expected a PEM private key/,
    );
    // Text that is no PEM names a file, as syslog's tls options do (relative to the config's folder).
    expect(() => createLogger(entry({ ca: 'not a pem' }))).toThrow(
      /transports\[0\]\.tls\.ca: expected PEM text or a file to read \(could not read not a pem: ENOENT/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-http-tls-'));
    writeFileSync(join(dir, 'ca.pem'), junk);
    expect(() => createLogger(entry({ ca: join(dir, 'ca.pem') }))).toThrow(/tls\.ca: expected PEM certificates Node/);
    // A FIFO no one writes to, or a device, would hold the start for ever or fill the memory.
    execFileSync('mkfifo', [join(dir, 'fifo.pem')]);
    for (const path of [join(dir, 'fifo.pem'), '/dev/zero', dir]) {
      expect(() => createLogger(entry({ ca: path }))).toThrow(
        /tls\.ca: expected PEM text or a file to read \(could not read .*(not a regular file|EISDIR)/,
      );
    }
    // A /proc file says its size is 0 and reads on for gigabytes: read at most the bound.
    expect(() => createLogger(entry({ ca: '/proc/self/pagemap' }))).toThrow(/over the 4 MiB a PEM file may be/);
  });

  it('from code, a URL of another scheme is refused by the constructor, its text not repeated', async () => {
    const { HttpTransport } = await import('../../../src/transports/http/index.js');
    expect(() => new HttpTransport({ url: 'ftp://user:s3cret-pass@host/' })).toThrow(
      /^http transport: url: expected an http:\/\/ or https:\/\/ URL$/,
    );
    expect(() => new HttpTransport({ url: 'not a url' })).toThrow(/expected an http/);
    // Before a preset parses it: Node's own URL error would carry the text, credentials and all.
    const elasticsearch = httpPreset('elasticsearch')!({ line: (r) => r.json() });
    let thrown: unknown;
    try {
      new HttpTransport({ url: 'http//user:s3cret-pass@host', preset: elasticsearch });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as Error).message).toBe('http transport: url: expected an http:// or https:// URL');
    expect(JSON.stringify({ ...(thrown as object) })).not.toContain('s3cret');
  });
});
