import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type Logger, MemoryTransport } from '../../src/index.js';

const TOKEN = 'Bearer s3cr3t-t0ken-value';
const PASSWORD = 'hunter2-password';
const REDACT = ['req.headers.authorization', 'password'];

const apps: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** The same small app on either logger; returns its base URL. */
async function startApp(loggerInstance: unknown): Promise<string> {
  // biome-ignore lint/suspicious/noExplicitAny: both loggers go through one factory
  const app = Fastify({ loggerInstance: loggerInstance as any });
  apps.push(app);
  app.get('/hello', async () => ({ hello: 'world' }));
  app.post('/login', async (request) => {
    const body = request.body as { user: string; password: string };
    request.log.info({ user: body.user, password: body.password }, 'login attempt');
    return { ok: true };
  });
  app.get('/boom', async () => {
    throw Object.assign(new Error('kaboom'), { statusCode: 500 });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address() as { port: number };
  return `http://127.0.0.1:${address.port}`;
}

async function exercise(base: string): Promise<void> {
  await fetch(`${base}/hello`, { headers: { authorization: TOKEN } });
  await fetch(`${base}/login`, {
    method: 'POST',
    headers: { authorization: TOKEN, 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'ann', password: PASSWORD }),
  });
  await fetch(`${base}/boom`, { headers: { authorization: TOKEN } });
}

function pinoLines(): { logger: unknown; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { logger: pino({ redact: REDACT }, sink), lines };
}

describe('Fastify 5 with loggerInstance: createLogger()', () => {
  it('request lines as small as pino’s, with method, url and statusCode, and no secret', async () => {
    const memory = new MemoryTransport({ maxRecords: 1000 });
    const log = createLogger({ exitFlush: false, redact: REDACT, transports: [memory] });
    await exercise(await startApp(log));
    await log.flush();
    const ours = memory.lines();

    const reference = pinoLines();
    await exercise(await startApp(reference.logger));
    await new Promise((resolve) => setTimeout(resolve, 20));

    const text = ours.join('');
    expect(text).not.toContain('s3cr3t');
    expect(text).not.toContain(PASSWORD);
    const incoming = memory.objects().filter((o) => o.msg === 'incoming request');
    expect(incoming.map((o) => (o.req as { method: string; url: string }).url)).toEqual(['/hello', '/login', '/boom']);
    expect(incoming[0]!.req).toMatchObject({ method: 'GET', url: '/hello', remoteAddress: '127.0.0.1' });
    const completed = memory.objects().filter((o) => o.msg === 'request completed');
    expect(completed.map((o) => (o.res as { statusCode: number }).statusCode)).toEqual([200, 200, 500]);
    const login = memory.objects().find((o) => o.msg === 'login attempt');
    expect(login).toMatchObject({ user: 'ann', password: '[Redacted]' });
    const failure = memory.objects().find((o) => (o.err as { message?: string } | undefined)?.message === 'kaboom');
    expect(failure).toBeDefined();
    expect((failure!.err as { type: string; stack: string }).stack).toContain('kaboom');

    // Size: every request line within 10% (plus a few bytes) of pino's line for the same event.
    const size = (lines: string[], msg: string) =>
      lines.filter((l) => l.includes(`"msg":"${msg}"`)).map((l) => l.length);
    for (const msg of ['incoming request', 'request completed']) {
      const [mine, theirs] = [size(ours, msg), size(reference.lines, msg)];
      expect(mine).toHaveLength(theirs.length);
      for (const [k, bytes] of mine.entries()) expect(bytes).toBeLessThanOrEqual(theirs[k]! * 1.1 + 16);
    }
    await log.close();
  });

  it('an invalid route logLevel is rejected at registration, not at the first request', async () => {
    const log = createLogger({ exitFlush: false, transports: [{ type: 'memory' }] });
    const app = Fastify({ loggerInstance: log });
    apps.push(app);
    // With pino, Fastify checks logger.levels here; without it, the first request crashed.
    expect(() => app.get('/verbose', { logLevel: 'verbose' as never }, async () => 'never')).toThrow(
      /must be a valid logger level. Received: 'verbose'/,
    );
    await log.close();
  });

  it('a valid route logLevel (a custom level too) works', async () => {
    const memory = new MemoryTransport();
    const log = createLogger({ exitFlush: false, level: 'info', levels: { audit: 35 }, transports: [memory] });
    const app = Fastify({ loggerInstance: log as unknown as Logger });
    apps.push(app);
    app.get('/quiet', { logLevel: 'warn' }, async (request) => {
      request.log.info('hidden by the route level');
      return 'ok';
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    await fetch(`http://127.0.0.1:${(app.server.address() as { port: number }).port}/quiet`);
    await log.flush();
    expect(memory.objects().some((o) => o.msg === 'hidden by the route level')).toBe(false);
    await log.close();
  });
});
