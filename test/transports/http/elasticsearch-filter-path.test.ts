import { createServer, type Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { reasonsLogger } from './counting-logger.js';
import { closeServersAfterEach, readBody } from './receiver.js';

// Elasticsearch's bulk docs suggest `?filter_path=items.*.error` to get back only the failed
// operations. With that filter a bulk answer of successes is `{}`, and a resend's 409s come
// back as items with an `error` and no `status`: the preset read neither, resent the batch
// until its attempts ran out and failed every record the index held (dead-lettered; with
// server-made ids, a copy indexed per attempt). The preset now asks for the parts of the
// answer it reads whenever the URL filters it.

const servers: Server[] = [];
closeServersAfterEach(servers);

/**
 * Keeps of a bulk answer what `filter_path` names, as Elasticsearch does for the patterns
 * used here (`errors`, `took`, `items.*.<key>`): an item left with nothing is left out of the
 * array, and a top level left with nothing is `{}`.
 */
function filtered(answer: Record<string, unknown>, filterPath: string | null): Record<string, unknown> {
  if (filterPath === null) return answer;
  const patterns = filterPath.split(',');
  const out: Record<string, unknown> = {};
  for (const key of ['errors', 'took']) if (patterns.includes(key)) out[key] = answer[key];
  const kept = patterns.filter((p) => p.startsWith('items.*.')).map((p) => p.slice('items.*.'.length));
  const items = (answer.items as Record<string, Record<string, unknown>>[])
    .map((item) => {
      const [action, result] = Object.entries(item)[0]!;
      const left = Object.fromEntries(Object.entries(result).filter(([key]) => kept.includes(key)));
      return Object.keys(left).length === 0 ? undefined : { [action]: left };
    })
    .filter((item) => item !== undefined);
  if (items.length > 0) out.items = items;
  return out;
}

/** A bulk receiver that stores documents by `_id` (409 for one it has) and filters its answer as asked. */
async function filteringBulk(): Promise<{ url: string; stored: Map<string, string>; queries: string[] }> {
  const stored = new Map<string, string>();
  const queries: string[] = [];
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://x');
    queries.push(url.search);
    const lines = body.split('\n').filter(Boolean);
    const items: Record<string, unknown>[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      const id = (JSON.parse(lines[i]!) as { create: { _id: string } }).create._id;
      if (stored.has(id)) {
        const error = { type: 'version_conflict_engine_exception', reason: `[${id}]: version conflict` };
        items.push({ create: { _index: 'logs', _id: id, status: 409, error } });
      } else {
        stored.set(id, lines[i + 1]!);
        items.push({ create: { _index: 'logs', _id: id, _version: 1, result: 'created', status: 201 } });
      }
    }
    const errors = items.some((item) => (item.create as { status: number }).status >= 300);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(filtered({ took: 3, errors, items }, url.searchParams.get('filter_path'))));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, stored, queries };
}

describe('elasticsearch: a URL with filter_path', () => {
  for (const filterPath of ['items.*.error', 'errors', '-took,items.*._index']) {
    it(`filter_path=${filterPath}: every record indexed once and counted delivered`, async () => {
      const r = await filteringBulk();
      const { log, reasons } = reasonsLogger({
        url: `${r.url}/_bulk?filter_path=${filterPath}`,
        preset: 'elasticsearch',
        batch: { maxRecords: 50, intervalMs: 10 },
        retry: { maxAttempts: 3, baseMs: 5, maxMs: 10 },
      });
      for (let i = 0; i < 20; i++) log.info({ i }, 'indexed');
      expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
      expect([...reasons]).toEqual([]);
      expect(log.stats()).toMatchObject({ logged: 20, delivered: 20, failed: 0 });
      expect(r.stored.size).toBe(20);
      await log.close();
    });
  }

  it('a URL without filter_path is sent as it is', async () => {
    const r = await filteringBulk();
    const { log } = reasonsLogger({ url: `${r.url}/_bulk?refresh=false`, preset: 'elasticsearch' });
    log.info('one');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(r.queries).toEqual(['?refresh=false']);
    await log.close();
  });
});
