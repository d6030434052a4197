import { createServer, type Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { reasonsLogger } from './counting-logger.js';
import { closeServersAfterEach, readBody } from './receiver.js';

// The elasticsearch preset appends `/_bulk` to a URL whose path does not end with it. A URL
// written with a trailing slash after `_bulk` got a second one, `/_bulk/_bulk`: the bulk API of
// an index named `_bulk`, which Elasticsearch refuses (no index name starts with `_`).

const servers: Server[] = [];
closeServersAfterEach(servers);

/** Answers a bulk request at `/_bulk` or `/<index>/_bulk` item by item; refuses other paths as Elasticsearch does. */
async function bulkReceiver(): Promise<{ url: string; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    paths.push(path);
    if (!/^(?:\/[a-z0-9][^/_]*)?\/_bulk$/.test(path)) {
      res.writeHead(400, { 'content-type': 'application/json' });
      const reason = "Invalid index name [_bulk], must not start with '_'";
      res.end(JSON.stringify({ error: { type: 'invalid_index_name_exception', reason }, status: 400 }));
      return;
    }
    const items = body
      .split('\n')
      .filter((line) => line.startsWith('{"create"'))
      .map((line) => ({ create: { _id: (JSON.parse(line) as { create: { _id: string } }).create._id, status: 201 } }));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: false, items }));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, paths };
}

describe('elasticsearch: the _bulk path', () => {
  for (const path of ['/_bulk/', '/_bulk//', '/logs/_bulk/', '/']) {
    it(`a URL ending ${JSON.stringify(path)} posts to the bulk API once, and its records are indexed`, async () => {
      const r = await bulkReceiver();
      const { log, reasons } = reasonsLogger({
        url: `${r.url}${path}?refresh=false`,
        preset: 'elasticsearch',
        batch: { maxRecords: 100, intervalMs: 10 },
        retry: { maxAttempts: 2, baseMs: 5, maxMs: 10 },
      });
      for (let i = 0; i < 20; i++) log.info({ i }, 'indexed');
      expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
      expect([...reasons]).toEqual([]);
      expect(log.stats()).toMatchObject({ logged: 20, delivered: 20, failed: 0 });
      expect(r.paths).toEqual([path.startsWith('/logs') ? '/logs/_bulk' : '/_bulk']);
      await log.close();
    });
  }
});
