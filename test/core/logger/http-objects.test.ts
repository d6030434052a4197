import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createLogger, type Logger, type MemoryTransport } from '../../../src/index.js';

type Line = Record<string, unknown>;

async function linesOf(call: (log: Logger) => void | Promise<void>): Promise<Line[]> {
  const log = createLogger({
    exitFlush: false,
    base: null,
    timestamp: false,
    transports: [{ type: 'memory', id: 'm' }],
  });
  await call(log);
  await log.flush();
  const lines = log
    .transport<MemoryTransport>('m')!
    .lines()
    .map((line) => JSON.parse(line) as Line);
  await log.close();
  return lines;
}

describe('only a real request or response logged first becomes { req } or { res }', () => {
  it('data with method, headers and socket keeps every field', async () => {
    const rpc = { method: 'transfer', headers: { traceparent: 't' }, socket: 'ws-7', amount: 100, account: 'acct-1' };
    const [line] = await linesOf((log) => log.info(rpc, 'rpc call'));
    expect(line).toEqual({ level: 30, ...rpc, msg: 'rpc call' });
  });

  it('data with a setHeader function keeps every field', async () => {
    const [line] = await linesOf((log) => log.info({ setHeader() {}, amount: 100, account: 'acct-1' }, 'client'));
    expect(line).toEqual({ level: 30, amount: 100, account: 'acct-1', msg: 'client' });
  });

  it('a class instance shaped like a request (a socket that is no stream) keeps its fields', async () => {
    class Call {
      method = 'GET';
      headers = { host: 'h' };
      socket = { remoteAddress: '10.0.0.1' };
      raw = { url: '/' };
      user = 'ann';
      setHeader(): void {}
    }
    const call = new Call();
    const [line] = await linesOf((log) => log.info(call));
    expect(line).toEqual({ level: 30, ...call });
    expect(line).not.toHaveProperty('req');
  });

  it('a Proxy answering every key is no request', async () => {
    const answers: unknown[] = ['x', {}, () => {}, 1];
    const lines = await linesOf((log) => {
      for (const answer of answers) {
        log.info(new Proxy({}, { get: () => answer }), 'plain target');
        log.info(new Proxy(new (class Thing {})(), { get: () => answer }), 'class target');
        const methodFirst = (_: object, key: PropertyKey) => (key === 'method' ? 'GET' : answer);
        log.info(new Proxy(new (class Thing {})(), { get: methodFirst }), 'a method');
      }
    });
    expect(lines).toHaveLength(answers.length * 3);
    for (const line of lines) {
      expect(line).not.toHaveProperty('req');
      expect(line).not.toHaveProperty('res');
    }
  });

  it("Node's request and response are still { req } and { res }", async () => {
    let seen: [IncomingMessage, ServerResponse] | undefined;
    const server = createServer((req, res) => {
      seen = [req, res];
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve, reject) => {
      const port = (server.address() as { port: number }).port;
      const req = request({ port, host: '127.0.0.1', path: '/orders?id=7', headers: { authorization: 'Bearer t' } });
      req.on('response', (res) => res.resume().on('end', resolve));
      req.on('error', reject);
      req.end();
    });
    await new Promise((resolve) => server.close(resolve));
    const [req, res] = seen!;
    const lines = await linesOf((log) => {
      log.info(req, 'request');
      log.info(res, 'response');
    });
    expect(lines[0]).toMatchObject({ req: { method: 'GET', url: '/orders?id=7' }, msg: 'request' });
    expect(Object.keys(lines[0]!)).toEqual(['level', 'req', 'msg']);
    expect(lines[1]).toMatchObject({ res: { statusCode: 200 }, msg: 'response' });
    expect(Object.keys(lines[1]!)).toEqual(['level', 'res', 'msg']);
  });

  it("Fastify's request, its raw request and response (inject's too) are { req } and { res }", async () => {
    const app = Fastify();
    const lines = await linesOf(async (log) => {
      app.get('/orders/:id', async (request, reply) => {
        log.info(request, 'fastify request');
        log.info(request.raw, 'raw request');
        log.info(reply.raw, 'raw response');
        return { ok: true };
      });
      await app.inject({ method: 'GET', url: '/orders/7', headers: { 'x-id': '1' } });
      await app.close();
    });
    expect(lines.map((line) => Object.keys(line))).toEqual([
      ['level', 'req', 'msg'],
      ['level', 'req', 'msg'],
      ['level', 'res', 'msg'],
    ]);
    expect(lines[0]!.req).toMatchObject({ method: 'GET', url: '/orders/7', headers: { 'x-id': '1' } });
    expect(lines[1]!.req).toMatchObject({ method: 'GET', url: '/orders/7' });
  });
});
