import type { Server } from 'node:http';
import express from 'express';
import { pino } from 'pino';
import { type Options as PinoHttpOptions, pinoHttp } from 'pino-http';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, MemoryTransport } from '../../src/index.js';

const TOKEN = 'Bearer s3cr3t-t0ken-value';
const REDACT = ['req.headers.authorization', 'req.headers.cookie'];
const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

// biome-ignore lint/suspicious/noExplicitAny: either logger goes into pino-http
async function serve(logger: any, options: PinoHttpOptions = {}): Promise<string> {
  const app = express();
  app.use(pinoHttp({ ...options, logger }));
  app.get('/orders/:id', (req, res) => {
    req.log.info({ order: req.params.id }, 'looking up');
    res.json({ id: req.params.id });
  });
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** A destination for pino, and the lines it was given. */
function pinoLines(): { lines: string[]; sink: Writable } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, sink };
}

describe('pino-http 11 under Express 5 with a streamlog logger', () => {
  it('sets up, logs req and res as pino does, redacts the authorization header', async () => {
    const memory = new MemoryTransport();
    const log = createLogger({ exitFlush: false, redact: REDACT, transports: [memory] });
    const base = await serve(log);
    await fetch(`${base}/orders/42`, { headers: { authorization: TOKEN } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await log.flush();

    const { lines, sink } = pinoLines();
    const reference = await serve(pino({ redact: REDACT }, sink));
    await fetch(`${reference}/orders/42`, { headers: { authorization: TOKEN } });
    await new Promise((resolve) => setTimeout(resolve, 20));

    const ours = memory.lines();
    expect(ours.join('')).not.toContain('s3cr3t');
    const completed = memory.objects().find((o) => o.msg === 'request completed')!;
    expect(completed).toMatchObject({
      req: { method: 'GET', url: '/orders/42', headers: { authorization: '[Redacted]' } },
      res: { statusCode: 200 },
    });
    expect(memory.objects().find((o) => o.msg === 'looking up')).toMatchObject({ order: '42', req: { method: 'GET' } });
    const theirs = lines.find((l) => l.includes('request completed'))!;
    const mine = ours.find((l) => l.includes('request completed'))!;
    expect(mine.length).toBeLessThanOrEqual(theirs.length * 1.1 + 16);
    await log.close();
  });

  it('with customProps (pino-http reads pino’s members of the logger): the props once, as pino', async () => {
    // Before, the response's `finish` threw `logger[stringifySym] is not a function` and the process ended.
    let calls = 0;
    const customProps = (req: { url?: string }) => ({
      tenant: 't1',
      path: req.url,
      call: ++calls > 1 ? 'later' : 'first',
    });
    const completedLine = async (
      logger: unknown,
      read: () => string[] | Promise<string[]>,
    ): Promise<Record<string, unknown>> => {
      calls = 0;
      const base = await serve(logger, { customProps, quietReqLogger: false });
      const response = await fetch(`${base}/orders/7`);
      expect(response.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const line = (await read()).find((l) => l.includes('request completed'))!;
      // Keys as written, repeats included (a bound prop bound again would show twice).
      const keys = [...line.matchAll(/"(tenant|path|call)":/g)].map((m) => m[1]);
      return { ...JSON.parse(line), keys };
    };
    const memory = new MemoryTransport();
    const log = createLogger({ exitFlush: false, transports: [memory] });
    const mine = await completedLine(log, async () => {
      await log.flush();
      return memory.lines();
    });
    const { lines, sink } = pinoLines();
    const theirs = await completedLine(pino(sink), () => lines);
    expect(mine).toMatchObject({ tenant: 't1', path: '/orders/7', res: { statusCode: 200 } });
    expect(mine.keys).toEqual(theirs.keys);
    expect(mine.call).toEqual(theirs.call);
    await log.close();
  });
});
