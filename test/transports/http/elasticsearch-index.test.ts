import { createServer, type Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/index.js';
import { closeServersAfterEach, readBody } from './receiver.js';
import { configError } from '../../helpers.js';

// An index name Elasticsearch and OpenSearch refuse (`Logs`: not lowercase) was refused item by
// item at run time: every record failed and was dead-lettered, batch after batch.

const servers: Server[] = [];
closeServersAfterEach(servers);

describe('elasticsearch: the index name', () => {
  it('one the server would refuse is a ConfigError at transports[0].index', () => {
    for (const index of [
      'Logs',
      'logs orders',
      '_logs',
      '-logs',
      '+logs',
      'a,b',
      'logs*',
      'a/b',
      'a:b',
      'a#b',
      '.',
      '..',
    ]) {
      for (const preset of ['elasticsearch', 'opensearch']) {
        const error = configError(() =>
          createLogger({ exitFlush: false, transports: [{ type: 'http', preset, url: 'http://127.0.0.1:9', index }] }),
        );
        expect(error.path).toBe('transports[0].index');
        expect(error.expected).toMatch(/index name/);
      }
    }
  });

  it('one it takes goes into every action line', async () => {
    const indexes = new Set<string>();
    const server = createServer(async (req, res) => {
      const body = await readBody(req);
      const items = body
        .split('\n')
        .filter((line) => line.startsWith('{"create"'))
        .map((line) => {
          const { _id, _index } = (JSON.parse(line) as { create: { _id: string; _index: string } }).create;
          indexes.add(_index);
          return { create: { _id, status: 201 } };
        });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: false, items }));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    for (const index of ['logs-orders.2026_12', '.ds-logs', '<logs-{now/d}>']) {
      indexes.clear();
      const log = createLogger({
        exitFlush: false,
        transports: [{ type: 'http', preset: 'elasticsearch', url, index, batch: { intervalMs: 10 } }],
      });
      log.info('indexed');
      expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
      expect(log.stats()).toMatchObject({ logged: 1, delivered: 1 });
      expect([...indexes]).toEqual([index]);
      await log.close();
    }
  });
});
