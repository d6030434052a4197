import { createServer, type Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createLogger, HttpTransport } from '../../../src/index.js';
import { closeServersAfterEach, readBody } from './receiver.js';
import { configError } from '../../helpers.js';

// The headers that frame a request body (its length, chunking and coding) are the transport's:
// a configured `Transfer-Encoding` went out beside the Content-Length (a request servers refuse
// as a smuggling attempt), a `Content-Encoding` named a coding the body did not have.

const servers: Server[] = [];
closeServersAfterEach(servers);

describe('headers that frame the body', () => {
  it('are a ConfigError at their path, in any case', () => {
    const url = 'http://127.0.0.1:9/ingest';
    for (const name of ['Transfer-Encoding', 'content-length', 'Content-Encoding']) {
      const error = configError(() =>
        createLogger({ exitFlush: false, transports: [{ type: 'http', url, headers: { [name]: 'gzip' } }] }),
      );
      expect(error.path).toBe(`transports[0].headers["${name}"]`);
      expect(error.expected).toMatch(/set by the transport/);
    }
  });

  it('from code, are refused by the constructor', () => {
    const url = 'http://127.0.0.1:9/ingest';
    expect(() => new HttpTransport({ url, headers: { 'Transfer-Encoding': 'chunked' } })).toThrow(
      /^http transport: headers\.Transfer-Encoding: .*set by the transport/,
    );
  });

  it('other headers still go with every request', async () => {
    const seen: (string | string[] | undefined)[] = [];
    const server = createServer(async (req, res) => {
      await readBody(req);
      seen.push(req.headers['x-scope-orgid']);
      res.writeHead(204);
      res.end();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/ingest`;
    const log = createLogger({
      exitFlush: false,
      transports: [{ type: 'http', url, headers: { 'X-Scope-OrgID': 'tenant-1' }, batch: { intervalMs: 10 } }],
    });
    log.info('hello');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 1, delivered: 1 });
    expect(seen).toEqual(['tenant-1']);
    await log.close();
  });
});
