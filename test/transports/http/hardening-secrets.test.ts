import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createLogger, type DeliveryFailure, HttpTransport } from '../../../src/index.js';
import { countingLogger } from './counting-logger.js';
import { Scrubber } from '../../../src/transports/http/secrets.js';
import { answeringReceiver, closeServersAfterEach } from './receiver.js';
import { configError } from '../../helpers.js';

const servers: Server[] = [];
closeServersAfterEach(servers);

const receiver = (respond: Parameters<typeof answeringReceiver>[1]) => answeringReceiver(servers, respond, '/ingest');

describe('header values with CR or LF', () => {
  it('are a ConfigError at the entry path, naming the header and not repeating its value', () => {
    const url = 'http://127.0.0.1:9/ingest';
    const error = configError(() =>
      createLogger({
        exitFlush: false,
        transports: [{ type: 'http', url, headers: { Authorization: 'Bearer abc\r\nX-Injected: 1' } }],
      }),
    );
    expect(error.path).toBe('transports[0].headers.Authorization');
    expect(error.message).toMatch(/^transports\[0\]\.headers\.Authorization: .*CR/);
    expect(error.message).not.toContain('abc');
    const lf = configError(() =>
      createLogger({ exitFlush: false, transports: [{ type: 'http', url, headers: { 'X-Tenant': 'a\nb' } }] }),
    );
    expect(lf.path).toBe('transports[0].headers["X-Tenant"]');
    expect(lf.expected).toMatch(/LF/);
    // A name HTTP does not allow fails the same way, at its own path.
    const name = configError(() =>
      createLogger({ exitFlush: false, transports: [{ type: 'http', url, headers: { 'X Bad': 'v' } }] }),
    );
    expect(name.path).toBe('transports[0].headers["X Bad"]');
  });

  it('a value from the environment that ends in a newline (a token read from a file) is refused too', () => {
    process.env.STREAMLOG_TEST_TOKEN = 'tok-from-file\n';
    try {
      const error = configError(() =>
        createLogger({
          exitFlush: false,
          transports: [
            {
              type: 'http',
              url: 'http://127.0.0.1:9/ingest',
              headers: { Authorization: 'Bearer ${STREAMLOG_TEST_TOKEN}' },
            },
          ],
        }),
      );
      expect(error.path).toBe('transports[0].headers.Authorization');
    } finally {
      delete process.env.STREAMLOG_TEST_TOKEN;
    }
  });

  it('from code, the HttpTransport constructor throws, naming the header', () => {
    expect(() => new HttpTransport({ url: 'http://127.0.0.1:9/', headers: { 'X-Key': 'v\r\n' } })).toThrow(
      /headers\.X-Key: expected a header value without CR, LF/,
    );
    expect(() => new HttpTransport({ url: 'http://127.0.0.1:9/', headers: { 'X-Key': 'fine\tvalue' } })).not.toThrow();
  });
});

describe('failure reasons never carry secrets', () => {
  const TOKEN = 'sk-live-4f9a8b7c6d5e4f3a2b1c';

  const HEADERS = { Authorization: `Bearer ${TOKEN}`, 'X-Api-Key': 'key=k3y-0f-the-tenant' };

  async function run(
    status: number,
    echo: (req: IncomingMessage) => string,
    urlOf = (url: string) => url,
    headers: Record<string, string> = HEADERS,
  ) {
    const { url, requests } = await receiver((req, res) => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(echo(req));
    });
    const { log, deadLetter } = countingLogger('secrets', {
      id: 'gateway',
      url: urlOf(url),
      headers,
      batch: { intervalMs: 5 },
      retry: { maxAttempts: 2, baseMs: 5, maxMs: 10 },
    });
    const failures: DeliveryFailure[] = [];
    log.on('deliveryFailed', (failure: DeliveryFailure) => failures.push(failure));
    for (let i = 0; i < 4; i++) log.info({ i }, 'to the gateway');
    await log.flush({ timeoutMs: 10_000 });
    const lastError = log.stats().targets[0]!.lastError ?? '';
    await log.close();
    const reasons = failures.flatMap((f) => f.reasons.map((r) => r.error.message));
    const dead = readFileSync(deadLetter, 'utf8');
    expect(requests()).toBeGreaterThan(0);
    expect(log.stats()).toMatchObject({ logged: 4, failed: 4 });
    expect(reasons).toHaveLength(4);
    expect(dead.trim().split('\n')).toHaveLength(4);
    return { lastError, reasons, dead };
  }

  /** Nothing of the secret, not even its first half (a cut at 200 bytes must not leave a prefix). */
  function expectClean(texts: string[], secrets: string[]): void {
    for (const text of texts) {
      for (const secret of secrets) expect(text).not.toContain(secret.slice(0, Math.ceil(secret.length / 2)));
    }
  }

  it('a gateway answering 400 that echoes the Authorization header: lastError, events and dead letter', async () => {
    const { lastError, reasons, dead } = await run(400, (req) => `bad request; you sent ${req.headers.authorization}`);
    expect(lastError).toContain('HTTP 400');
    expect(lastError).toContain('[redacted]');
    expect(reasons[0]).toContain('[redacted]');
    expectClean([lastError, dead, ...reasons], [TOKEN, 'k3y-0f-the-tenant']);
  });

  it('a 500 echoing every header, the token across the 200-byte cut of the reason', async () => {
    // The reason quotes the first 200 bytes: the token starts at 178 and runs past the cut.
    const echo = (req: IncomingMessage) =>
      `${'x'.repeat(170)} ${req.headers.authorization} ${JSON.stringify(req.headers)} ${req.headers['x-api-key']}`;
    const { lastError, reasons, dead } = await run(500, echo);
    expect(lastError).toContain('HTTP 500');
    expectClean([lastError, dead, ...reasons], [TOKEN, 'k3y-0f-the-tenant']);
  });

  it('URL credentials: as written, decoded, and as the Basic header Node derives from them', async () => {
    const basic = Buffer.from('svc-user:p@ss w0rd!').toString('base64');
    let sent: string | undefined;
    const { lastError, reasons, dead } = await run(
      400,
      (req) => {
        sent = req.headers.authorization;
        return `denied ${req.headers.authorization} for svc-user:p%40ss%20w0rd!@host, p@ss w0rd!`;
      },
      (url) => url.replace('http://', 'http://svc-user:p%40ss%20w0rd!@'),
      {},
    );
    expect(sent).toBe(`Basic ${basic}`);
    expectClean([lastError, dead, ...reasons], [basic, 'p%40ss%20w0rd!', 'p@ss w0rd!']);
    expect(lastError).toContain('[redacted]');
  });

  it('keys in the query string (password, api_key, sig): as written and decoded; other parameters kept', async () => {
    const query = '?database=app_logs&password=Qx7%2Fs3cr3t+pw&api_key=ab12cd34ef56&sig=c2lnbmF0dXJl';
    const { lastError, reasons, dead } = await run(
      500,
      (req) => `cannot route ${req.url}; password Qx7/s3cr3t pw`,
      (url) => url + query,
      {},
    );
    expect(lastError).toContain('database=app_logs&password=[redacted]');
    expectClean([lastError, dead, ...reasons], ['Qx7%2Fs3cr3t+pw', 'Qx7/s3cr3t pw', 'ab12cd34ef56', 'c2lnbmF0dXJl']);
  });

  it('a query password the clickhouse preset writes again (`!` as %21): scrubbed in that form too', async () => {
    const { url } = await receiver((req, res) => {
      res.writeHead(500);
      res.end(`Code: 516. cannot route ${req.url}`);
    });
    const { log, dead } = countingLogger('secrets', {
      url: `${url}?user=svc&password=Secret!2024~x`,
      preset: 'clickhouse',
      batch: { intervalMs: 5 },
      retry: { maxAttempts: 1 },
    });
    log.info('to clickhouse');
    await log.flush({ timeoutMs: 10_000 });
    const lastError = log.stats().targets[0]!.lastError ?? '';
    await log.close();
    expect(log.stats()).toMatchObject({ logged: 1, failed: 1 });
    expect(lastError).toContain('user=svc&password=[redacted]&query=INSERT');
    expectClean([lastError, JSON.stringify(dead())], ['Secret%212024%7Ex', 'Secret!2024~x']);
  });

  it('the scrubber: whole values, tokens in them, query-style parts; short words left alone', () => {
    const scrubber = new Scrubber('https://alice:hunter22@logs.example/', {
      Authorization: 'Bearer abcdefgh12345678',
      Cookie: 'session=0123456789abcdef; theme=dark',
      'X-Flag': '1',
    });
    expect(scrubber.scrub('got Bearer abcdefgh12345678')).toBe('got [redacted]');
    expect(scrubber.scrub('token abcdefgh12345678 bearer')).toBe('token [redacted] bearer');
    expect(scrubber.scrub('cookie 0123456789abcdef, theme dark')).toBe('cookie [redacted], theme dark');
    expect(scrubber.scrub('{"status":201,"errors":false} alice:hunter22 hunter22')).toBe(
      '{"status":201,"errors":false} [redacted] [redacted]',
    );
    expect(scrubber.scrub(Buffer.from('alice:hunter22').toString('base64'))).toBe('[redacted]');
    const error = Object.assign(new Error('connect to alice:hunter22@logs failed'), { code: 'ECONNREFUSED' });
    const clean = scrubber.scrubError(error);
    expect(clean.message).toBe('connect to [redacted]@logs failed');
    expect(clean.stack).not.toContain('hunter22');
    expect((clean as { code?: string }).code).toBe('ECONNREFUSED');
    const plain = new Error('nothing secret');
    expect(scrubber.scrubError(plain)).toBe(plain);
  });
});
