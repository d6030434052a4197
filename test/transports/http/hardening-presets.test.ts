import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/index.js';
import { configError } from '../../helpers.js';
import { countingLogger } from './counting-logger.js';
import { closeServersAfterEach, expectAddsUp, readBody } from './receiver.js';

const servers: Server[] = [];
closeServersAfterEach(servers);

type Respond = (res: ServerResponse, body: string, n: number, req: IncomingMessage) => void;

async function receiver(respond: Respond) {
  const state = { url: '', requests: 0 };
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    state.requests++;
    respond(res, body, state.requests, req);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return state;
}

/** The top-level keys of a JSON object's text, repeats included (JSON.parse would hide them). */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let at = 0; at < text.length; at++) {
    const c = text[at];
    if (c === '"') {
      let end = at + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (depth === 1 && text[end + 1] === ':') keys.push(JSON.parse(text.slice(at, end + 1)) as string);
      at = end;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return keys;
}

const METADATA = ['_id', '_index', '_source', '_routing', '_version', '_seq_no', '_ignored', '_field_names'];

/**
 * What Elasticsearch refuses in a bulk document, item by item (400): a repeated field
 * ("Duplicate field"), a metadata field at the top level, no top-level `@timestamp` (a data
 * stream's index). The rest is taken.
 */
function refusal(document: string): string | undefined {
  const keys = topLevelKeys(document);
  if ((JSON.parse(document) as { msg?: unknown }).msg === 'refuse me') return 'mapper_parsing_exception: refused';
  const repeated = keys.find((key, i) => keys.indexOf(key) !== i);
  if (repeated !== undefined) return `json_parse_exception: Duplicate field '${repeated}'`;
  const metadata = keys.find((key) => METADATA.includes(key));
  if (metadata !== undefined) return `mapper_parsing_exception: Field [${metadata}] is a metadata field`;
  if (!keys.includes('@timestamp')) return 'illegal_argument_exception: data stream timestamp field is missing';
  const unnamed = badFieldName(JSON.parse(document));
  if (unnamed !== undefined) return `illegal_argument_exception: field name cannot be empty: [${unnamed}]`;
  return undefined;
}

/** A key at any depth that Elasticsearch cannot name a field by: empty, blank, or an empty part between dots. */
function badFieldName(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (!Array.isArray(value) && key.split('.').some((part) => part.trim() === '')) return key;
    const found = badFieldName(inner);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A fake `_bulk` that judges each document as Elasticsearch would; `order` may reverse the items. */
async function fakeElasticsearch(order: (n: number) => 'sent' | 'reversed' = () => 'sent') {
  const taken = new Map<string, Record<string, unknown>>();
  const state = await receiver((res, body, n) => {
    const lines = body.split('\n').filter(Boolean);
    const items: unknown[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      const _id = (JSON.parse(lines[i]!) as { create: { _id: string } }).create._id;
      const refused = refusal(lines[i + 1]!);
      if (refused === undefined) {
        const status = taken.has(_id) ? 409 : 201;
        taken.set(_id, JSON.parse(lines[i + 1]!) as Record<string, unknown>);
        items.push({ create: { _index: 'logs', _id, status } });
      } else {
        const [type, reason] = refused.split(': ');
        items.push({ create: { _index: 'logs', _id, status: 400, error: { type, reason } } });
      }
    }
    if (order(n) === 'reversed') items.reverse();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ took: 1, errors: items.some((i) => JSON.stringify(i).includes('"error"')), items }));
  });
  return Object.assign(state, { taken });
}

function logger(name: string, transport: Record<string, unknown>) {
  return countingLogger(name, {
    batch: { maxRecords: 100, intervalMs: 20 },
    retry: { maxAttempts: 3, baseMs: 5, maxMs: 20 },
    ...transport,
  });
}

describe('elasticsearch: documents Elasticsearch takes, whatever keys the records have', () => {
  it('a key repeated (a field named like a binding), _id or _index in a record, a nested @timestamp', async () => {
    const es = await fakeElasticsearch();
    const { log, dead } = logger('es-keys', { preset: 'elasticsearch', url: es.url });
    const request = log.child({ requestId: 'bound', user: 'bound' });
    request.info({ requestId: 'from the call', i: 0 }, 'a field named like a binding');
    log.info({ _id: '64b7f0c2e1', _index: 'theirs', i: 1 }, 'a MongoDB document, logged whole');
    log.info({ doc: { '@timestamp': 'nested' }, i: 2 }, 'a nested @timestamp only');
    log.info({ _id: 'mine', '@_id': 'taken', i: 3 }, 'the renamed key is taken');
    log.info({ i: 4 }, 'plain');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    const stats = log.stats();
    expectAddsUp(stats);
    expect(dead()).toEqual([]);
    expect(stats).toMatchObject({ logged: 5, delivered: 5, failed: 0 });
    expect(es.taken.size).toBe(5);
    const docs = [...es.taken.values()].sort((a, b) => (a.i as number) - (b.i as number));
    // A repeated key is sent once, with its last value, as JSON.parse reads the line.
    expect(docs[0]).toMatchObject({ requestId: 'from the call', user: 'bound' });
    expect(docs[1]).toMatchObject({ '@_id': '64b7f0c2e1', '@_index': 'theirs' });
    expect(docs[2]).toMatchObject({ doc: { '@timestamp': 'nested' }, '@timestamp': expect.stringMatching(/Z$/) });
    expect(docs[3]).toMatchObject({ '@_id': 'taken', '@@_id': 'mine' });
    await log.close();
  });

  it('keys Elasticsearch cannot name (empty, blank, dots at an end or doubled), at any depth', async () => {
    const es = await fakeElasticsearch();
    const { log, dead } = logger('es-names', { preset: 'elasticsearch', url: es.url });
    // A query string logged whole: ?=1&%20=2&.env=3&a.=4&a..b=5&__proto__=6, crafted or not.
    const query = JSON.parse('{"":"1"," ":"2",".env":"3","a.":"4","a..b":"5","__proto__":"6","_":"taken"}');
    log.info({ i: 0, query }, 'a request');
    log.info({ i: 1, '': 'top', list: [{ '.': 1 }] }, 'top level and in an array');
    log.info({ i: 2, file: '..hidden', path: '../../etc/passwd' }, 'dots in values only: Loading...');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    const stats = log.stats();
    expectAddsUp(stats);
    expect(dead()).toEqual([]);
    expect(stats).toMatchObject({ logged: 3, delivered: 3, failed: 0 });
    const docs = [...es.taken.values()].sort((a, b) => (a.i as number) - (b.i as number));
    expect(Object.keys(docs[0]!.query as object).sort()).toEqual(
      ['@_', '@@_', '__proto__', '_', '_.env', 'a._', 'a._.b'].sort(),
    );
    expect(docs[1]).toMatchObject({ _: 'top', list: [{ '_._': 1 }] });
    expect(docs[2]).toMatchObject({ file: '..hidden', path: '../../etc/passwd' });
    await log.close();
  });

  it('a blank part beside a dot, and keys of escaped blanks (tab, newline), are renamed too', async () => {
    const es = await fakeElasticsearch();
    const { log, dead } = logger('es-blank-parts', { preset: 'elasticsearch', url: es.url });
    // A space in a part (" .b", "a. ", "a. .b") or a blank the line writes escaped ("\t", "a.\n").
    const query = JSON.parse('{" .b":"1","a. ":"2","a. .b":"3","\\t":"4","a.\\n":"5"}');
    log.info({ i: 0, query }, 'a request');
    log.info({ i: 1, '\t': 'top' }, 'a tab key at the top level');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    const stats = log.stats();
    expectAddsUp(stats);
    // Before: neither line was seen to need renaming; both records were refused, and dead-lettered.
    expect(dead()).toEqual([]);
    expect(stats).toMatchObject({ logged: 2, delivered: 2, failed: 0 });
    const docs = [...es.taken.values()].sort((a, b) => (a.i as number) - (b.i as number));
    expect(Object.keys(docs[0]!.query as object).sort()).toEqual(['_.b', 'a._', 'a._.b', '_', '@a._'].sort());
    expect(docs[1]).toMatchObject({ _: 'top' });
    await log.close();
  });

  it('a line a streamWrite hook spaced out, with its own @timestamp: no second one added', async () => {
    const es = await fakeElasticsearch();
    const log = createLogger({
      exitFlush: false,
      base: null,
      router: { health: { failureThreshold: 1_000_000 } },
      hooks: { streamWrite: (line) => line.replace('{"level"', '{ "@timestamp": "2024-01-01T00:00:00Z", "level"') },
      transports: [{ type: 'http', preset: 'elasticsearch', url: es.url, batch: { intervalMs: 20 } } as never],
    });
    log.info({ i: 0 }, 'spaced');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    const stats = log.stats();
    expectAddsUp(stats);
    expect(stats).toMatchObject({ logged: 1, delivered: 1, failed: 0 });
    expect([...es.taken.values()][0]).toMatchObject({ '@timestamp': '2024-01-01T00:00:00Z', i: 0 });
    await log.close();
  });

  it('items answered in another order than sent: not read as the records sent there, retried', async () => {
    const es = await fakeElasticsearch((n) => (n === 1 ? 'reversed' : 'sent'));
    const { log, dead } = logger('es-order', { preset: 'elasticsearch', url: es.url });
    for (let i = 0; i < 10; i++) log.info({ i }, i === 2 ? 'refuse me' : 'take me');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    const stats = log.stats();
    expectAddsUp(stats);
    // The refused record fails, never counted delivered; the one its refusal was answered at is not failed.
    expect(dead().map((entry) => entry.record.i)).toEqual([2]);
    expect(stats).toMatchObject({ logged: 10, delivered: 9, failed: 1 });
    expect([...es.taken.values()].map((doc) => doc.i).sort()).toEqual([0, 1, 3, 4, 5, 6, 7, 8, 9]);
    expect((stats.targets[0] as unknown as { retries: number }).retries).toBeGreaterThanOrEqual(1);
    await log.close();
  });
});

/**
 * A fake ClickHouse HTTP interface: rows of a JSONEachRow body are taken (by their `i`) when
 * it answers an empty 200; `answer` may instead say an exception after a 200 status line (as a
 * server streaming progress headers must), or send a page.
 */
async function fakeClickHouse(answer: (rows: { i: number; msg: string }[], n: number) => string | undefined) {
  const taken: number[] = [];
  const state = await receiver((res, body, n) => {
    const rows = body
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { i: number; msg: string });
    const said = answer(rows, n);
    res.writeHead(200, { 'content-type': said?.startsWith('<') ? 'text/html' : 'text/plain; charset=UTF-8' });
    if (said === undefined) taken.push(...rows.map((row) => row.i));
    res.end(said ?? '');
  });
  return Object.assign(state, { url: `${state.url}/`, taken });
}

describe('clickhouse: a 200 is not always an insert', () => {
  it('an exception in the body of a 200 (progress headers sent first): retried or bisected', async () => {
    const ch = await fakeClickHouse((rows, n) => {
      if (n === 1) return 'Code: 241, e.displayText() = DB::Exception: Memory limit (for query) exceeded\n';
      if (rows.some((row) => row.msg === 'poison')) {
        const text = "Code: 27. DB::Exception: Cannot parse input: expected '\"' before: 'x': (at row 1).";
        return `${text} (CANNOT_PARSE_INPUT)\n`;
      }
      return undefined;
    });
    const { log, dead } = logger('ch-200', { preset: 'clickhouse', url: ch.url });
    for (let i = 0; i < 20; i++) log.info({ i }, i === 13 ? 'poison' : 'row');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    const stats = log.stats();
    expectAddsUp(stats);
    expect(stats).toMatchObject({ logged: 20, delivered: 19, failed: 1 });
    expect(dead().map((entry) => entry.record.i)).toEqual([13]);
    expect(dead()[0]!.reasons[0]!.error).toMatch(/^ClickHouse Code: 27\. DB::Exception: Cannot parse input/);
    expect(new Set(ch.taken).size).toBe(19);
    expect(ch.taken).not.toContain(13);
    await log.close();
  });

  it('a 200 with an HTML page (a login page at the URL): retried, then failed, never delivered', async () => {
    const ch = await fakeClickHouse(() => '<!DOCTYPE html>\n<html><body>Sign in</body></html>');
    const { log, dead } = logger('ch-html', { preset: 'clickhouse', url: ch.url });
    for (let i = 0; i < 5; i++) log.info({ i }, 'row');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    const stats = log.stats();
    expectAddsUp(stats);
    expect(stats).toMatchObject({ logged: 5, delivered: 0, failed: 5 });
    expect(ch.requests).toBe(3);
    expect(dead()[0]!.reasons[0]!.error).toMatch(/HTTP 200 with an HTML page .*not an answer from ClickHouse/);
    await log.close();
  });
});

/**
 * A fake Loki push endpoint that refuses (400) what Loki refuses: a label name not
 * [A-Za-z_][A-Za-z0-9_]*, a label or metadata value that is not a string, a time that is not
 * a nanosecond string. Entries of a push it takes are kept, their lines parsed; a push is
 * answered 204, or with `page` when it gives one.
 */
async function fakeLoki(page: (n: number) => string | undefined = () => undefined, failAfterStoring = 0, status = 503) {
  const taken: { labels: Record<string, string>; line: Record<string, unknown>; metadata?: unknown }[] = [];
  // As Loki: one entry per stream, nanosecond and line; another alike is dropped without a word.
  const entries = new Set<string>();
  const state = await receiver((res, body, n) => {
    const push = JSON.parse(body) as { streams: { stream: Record<string, unknown>; values: unknown[][] }[] };
    const refused = (): string | undefined => {
      for (const { stream, values } of push.streams) {
        for (const [name, value] of Object.entries(stream)) {
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return `error parsing labels: unexpected character in ${name}`;
          if (typeof value !== 'string') return 'label values must be strings';
        }
        for (const [time, line, metadata] of values) {
          if (typeof time !== 'string' || !/^\d+$/.test(time) || typeof line !== 'string') return 'bad entry';
          for (const value of Object.values((metadata ?? {}) as object)) {
            if (typeof value !== 'string') return 'structured metadata values must be strings';
          }
        }
      }
      return undefined;
    };
    const why = refused();
    if (why !== undefined) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      return void res.end(why);
    }
    const html = page(n);
    if (html !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html' });
      return void res.end(html);
    }
    for (const { stream, values } of push.streams) {
      for (const [time, line, metadata] of values) {
        const entry = `${JSON.stringify(stream)} ${time} ${line}`;
        if (entries.has(entry)) continue;
        entries.add(entry);
        taken.push({ labels: stream as Record<string, string>, line: JSON.parse(line as string), metadata });
      }
    }
    // An ingester that failed after others stored the push: the client is told to send it again.
    if (n <= failAfterStoring) {
      res.writeHead(status, { 'content-type': 'text/plain' });
      return void res.end('rpc error: code = Unavailable desc = transport is closing');
    }
    res.writeHead(204);
    res.end();
  });
  return Object.assign(state, { url: `${state.url}/loki/api/v1/push`, taken });
}

describe('loki: labels Loki takes, values as the line has them', () => {
  it('label fields named with a dot, a dash or a digit first; metadata values that are objects or arrays', async () => {
    const loki = await fakeLoki();
    const { log, dead } = logger('loki-labels', {
      preset: 'loki',
      url: loki.url,
      labels: ['service.name', 'k8s-pod', '9lives', 'name', 'level'],
      metadata: ['user', 'orderId'],
    });
    const line = '{"level":30,"time":1700000000000,"service.name":"billing","orderId":[17,"b"],"msg":"array"}\n';
    const stream = log.stream();
    stream.end(line);
    await new Promise((resolve) => stream.on('finish', resolve));
    log.info({ 'k8s-pod': 'web-1', '9lives': 'cat', user: { id: 7, roles: ['admin'] } }, 'an object');
    log.info({ name: 'plain' }, 'plain');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    const stats = log.stats();
    expectAddsUp(stats);
    expect(dead()).toEqual([]);
    expect(stats).toMatchObject({ logged: 3, delivered: 3, failed: 0 });
    const byMsg = new Map(loki.taken.map((entry) => [entry.line.msg, entry]));
    // As the line has them: JSON text, not "17,b" or "[object Object]".
    expect(byMsg.get('array')).toMatchObject({
      labels: { level: 'info', service_name: 'billing' },
      metadata: { orderId: '[17,"b"]' },
    });
    expect(byMsg.get('an object')).toMatchObject({
      labels: { level: 'info', k8s_pod: 'web-1', _9lives: 'cat' },
      metadata: { user: '{"id":7,"roles":["admin"]}' },
    });
    expect(byMsg.get('plain')).toMatchObject({ labels: { level: 'info', name: 'plain' } });
    // level is the preset's own label, the level as a word, even when configured as a label field.
    expect(new Set(loki.taken.map((entry) => entry.labels.level))).toEqual(new Set(['info']));
    await log.close();
  });

  // Found by a helper: `service.name` and `service_name` were both sent as `service_name`, the
  // later field's value in place of the earlier's in every stream, with nothing said.
  it('two label fields Loki would get under one name are a ConfigError at the second', () => {
    const error = configError(() =>
      createLogger({
        exitFlush: false,
        transports: [
          { type: 'http', preset: 'loki', url: 'http://127.0.0.1:9/', labels: ['app', 'service.name', 'service_name'] },
        ],
      }),
    );
    expect(error.path).toBe('transports[0].labels[2]');
    expect(error.message).toContain('"service_name" and the field "service.name" are both the Loki label');
    // The same field twice, and `level` (the preset's own), are not a clash.
    const log = createLogger({
      exitFlush: false,
      transports: [{ type: 'http', preset: 'loki', url: 'http://127.0.0.1:9/', labels: ['app', 'app', 'level'] }],
    });
    return log.close();
  });

  // Found by a helper auditing the wire formats: Loki refuses every push with a label named
  // `__backfill__`, and a structured metadata name of underscores only (the push a 500,
  // retried until it failed); two metadata fields Loki names alike overwrite each other.
  it.each([
    [{ labels: ['app', '__backfill__'] }, 'transports[0].labels[1]', 'keeps names that start with "__" for itself'],
    [{ metadata: ['user', '-'] }, 'transports[0].metadata[1]', 'refuses a name of underscores only'],
    [{ metadata: ['k.v', 'k_v'] }, 'transports[0].metadata[1]', 'are both the Loki structured metadata name "k_v"'],
  ])('a Loki name it would refuse or merge is a ConfigError: %j', (names, path, said) => {
    const url = 'http://127.0.0.1:9/';
    const error = configError(() =>
      createLogger({ exitFlush: false, transports: [{ type: 'http', preset: 'loki', url, ...names }] }),
    );
    expect(error.path).toBe(path);
    expect(error.message).toContain(said);
  });

  it('a 200 with an HTML page (a login page at the URL): retried, and delivered only once Loki answers', async () => {
    const loki = await fakeLoki((n) => (n <= 2 ? '<html><head><title>Sign in</title></head></html>' : undefined));
    const { log } = logger('loki-html', { preset: 'loki', url: loki.url });
    for (let i = 0; i < 5; i++) log.info({ i }, 'line');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    const stats = log.stats();
    expectAddsUp(stats);
    expect(stats).toMatchObject({ logged: 5, delivered: 5, failed: 0 });
    expect(loki.requests).toBe(3);
    expect(loki.taken.map((entry) => entry.line.i).sort()).toEqual([0, 1, 2, 3, 4]);
    await log.close();
  });
});

describe('clickhouse: a replicated table whose coordination fails for a while', () => {
  it('Keeper connection loss (999), too few replicas (285) for 3 answers: retried, then all inserted', async () => {
    const ch = await fakeClickHouse(() => undefined);
    let n = 0;
    const down = await receiver((res, body) => {
      n++;
      if (n <= 3) {
        const said =
          n === 2
            ? 'Code: 285. DB::Exception: Number of alive replicas (1) is less than requested quorum (2/2).'
            : 'Code: 999. Coordination::Exception: Connection loss, path: /clickhouse/tables/logs/blocks.';
        res.writeHead(500, { 'x-clickhouse-exception-code': n === 2 ? '285' : '999' });
        return void res.end(`${said}\n`);
      }
      // Recovered: the rows go on to the fake server, which keeps them.
      void fetch(ch.url, { method: 'POST', body }).then(async (answer) => {
        res.writeHead(answer.status);
        res.end(await answer.text());
      });
    });
    const { log, dead } = logger('ch-keeper', {
      preset: 'clickhouse',
      url: `${down.url}/`,
      retry: { maxAttempts: 6, baseMs: 5, maxMs: 20 },
    });
    for (let i = 0; i < 10; i++) log.info({ i }, 'row');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    const stats = log.stats();
    expectAddsUp(stats);
    expect(dead()).toEqual([]);
    expect(stats).toMatchObject({ logged: 10, delivered: 10, failed: 0 });
    expect(ch.taken.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await log.close();
  });
});

describe('clickhouse: an insert whose fate the server does not know', () => {
  it('code 319 (insert status unknown): retried, what the retry delivers counted as possible duplicates', async () => {
    // A replicated table's commit cut by a lost Keeper session: the rows may be stored already.
    let n = 0;
    const ch = await receiver((res) => {
      n++;
      if (n === 1) {
        res.writeHead(500, { 'x-clickhouse-exception-code': '319' });
        const said = 'Code: 319. DB::Exception: Unknown status, client must retry. Reason: Connection loss.';
        return void res.end(`${said} (UNKNOWN_STATUS_OF_INSERT)\n`);
      }
      res.writeHead(200);
      res.end();
    });
    const { log, dead } = logger('ch-unknown', { preset: 'clickhouse', url: `${ch.url}/` });
    for (let i = 0; i < 10; i++) log.info({ i }, 'row');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    const stats = log.stats();
    expectAddsUp(stats);
    expect(dead()).toEqual([]);
    expect(stats).toMatchObject({ logged: 10, delivered: 10, failed: 0, possibleDuplicates: 10 });
    expect(ch.requests).toBe(2);
    await log.close();
  });
});

describe('elasticsearch: an index that refuses client-made ids', () => {
  it('OpenSearch Serverless time series: "Document ID is not supported", then sent without, all taken', async () => {
    const taken: number[] = [];
    let made = 0;
    let refused = 0;
    const aoss = await receiver((res, body) => {
      const lines = body.split('\n').filter(Boolean);
      const items: unknown[] = [];
      for (let i = 0; i < lines.length; i += 2) {
        const action = (JSON.parse(lines[i]!) as { create: { _id?: string } }).create;
        if (action._id !== undefined) {
          refused++;
          const error = {
            type: 'illegal_argument_exception',
            reason: 'Document ID is not supported in create/index operation request',
          };
          items.push({ create: { _index: 'logs', _id: action._id, status: 400, error } });
        } else {
          taken.push((JSON.parse(lines[i + 1]!) as { i: number }).i);
          items.push({ create: { _index: 'logs', _id: `server-${made++}`, status: 201 } });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ took: 1, errors: items.some((i) => JSON.stringify(i).includes('"error"')), items }));
    });
    const { log, dead } = logger('aoss', { preset: 'opensearch', url: aoss.url });
    for (let i = 0; i < 30; i++) log.info({ i }, 'into a time series collection');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    log.info({ i: 30 }, 'later: sent without an id at once');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    const stats = log.stats();
    expectAddsUp(stats);
    expect(dead()).toEqual([]);
    expect(stats).toMatchObject({ logged: 31, delivered: 31, failed: 0 });
    expect(taken.sort((a, b) => a - b)).toEqual(Array.from({ length: 31 }, (_, i) => i));
    // Refused once per record of the first batch; the record logged later went without an id.
    expect(refused).toBe(30);
    await log.close();
  });
});

describe('elasticsearch: answers a first reading missed (found by attacking the preset)', () => {
  /** A bulk answer for `body`, each item given `status` and `error` by `item(i)`. */
  function bulk(body: string, item: (i: number) => { status: number; error?: object }): string {
    const count = body.split('\n').filter(Boolean).length / 2;
    const items = Array.from({ length: count }, (_, i) => ({ create: { _index: 'logs', ...item(i) } }));
    return JSON.stringify({ took: 1, errors: true, items });
  }

  it('a 201 whose items are refused: read item by item, the refused fail (were counted delivered)', async () => {
    const error = { type: 'mapper_parsing_exception', reason: 'failed to parse field [i]' };
    const es = await receiver((res, body) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(bulk(body, (i) => (i % 2 === 0 ? { status: 400, error } : { status: 201 })));
    });
    const { log, dead } = logger('es-201', { preset: 'elasticsearch', url: es.url });
    for (let i = 0; i < 10; i++) log.info({ i }, 'row');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    const stats = log.stats();
    expectAddsUp(stats);
    expect(stats).toMatchObject({ logged: 10, delivered: 5, failed: 5 });
    expect(dead().map((entry) => entry.record.i)).toEqual([0, 2, 4, 6, 8]);
    expect(dead()[0]!.reasons[0]!.error).toContain('mapper_parsing_exception');
    await log.close();
  });

  it('a 202 with no bulk answer (a queueing proxy): delivered, as before', async () => {
    const proxy = await receiver((res) => {
      res.writeHead(202);
      res.end();
    });
    const { log } = logger('es-202', { preset: 'elasticsearch', url: proxy.url });
    for (let i = 0; i < 5; i++) log.info({ i }, 'queued');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 5, delivered: 5, failed: 0 });
    expect(proxy.requests).toBe(1);
    await log.close();
  });

  it("items refused for now every time: the failure says the server's reason, not a generic one", async () => {
    const error = { type: 'es_rejected_execution_exception', reason: 'rejected execution of coordinating operation' };
    const es = await receiver((res, body) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(bulk(body, () => ({ status: 429, error })));
    });
    const { log, dead } = logger('es-429', { preset: 'elasticsearch', url: es.url });
    for (let i = 0; i < 3; i++) log.info({ i }, 'row');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 3, delivered: 0, failed: 3 });
    expect(dead()[0]!.reasons[0]!.error).toContain('429 es_rejected_execution_exception: rejected execution');
    await log.close();
  });

  it('server-made ids, an answer cut after they were stored: the resend counted as possible duplicates', async () => {
    const stored: number[] = [];
    let requests = 0;
    const aoss = await receiver((res, body) => {
      requests++;
      const lines = body.split('\n').filter(Boolean);
      const withIds = lines.some((line, i) => i % 2 === 0 && line.includes('"_id"'));
      const refusal = { type: 'illegal_argument_exception', reason: 'Document ID is not supported in create/index' };
      if (!withIds) for (let i = 1; i < lines.length; i += 2) stored.push((JSON.parse(lines[i]!) as { i: number }).i);
      res.writeHead(200, { 'content-type': 'application/json' });
      if (withIds) return void res.end(bulk(body, () => ({ status: 400, error: refusal })));
      // The second request's documents are stored, and its answer is cut in half.
      const answer = bulk(body, () => ({ status: 201 }));
      res.end(requests === 2 ? answer.slice(0, answer.length / 2) : answer);
    });
    const { log } = logger('es-server-ids', { preset: 'opensearch', url: aoss.url });
    for (let i = 0; i < 10; i++) log.info({ i }, 'into a time series collection');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(stored).toHaveLength(20);
    expect(log.stats()).toMatchObject({ logged: 10, delivered: 10, failed: 0, possibleDuplicates: 10 });
    await log.close();
  });
});

describe('loki: records alike in one millisecond', () => {
  it('five identical lines at the same time: five entries in Loki, and a resend stores none twice', async () => {
    const loki = await fakeLoki(() => undefined, 1);
    const { log } = logger('loki-alike', { preset: 'loki', url: loki.url });
    const stream = log.stream();
    stream.end('{"level":30,"time":1700000000000,"msg":"retrying"}\n'.repeat(5));
    await new Promise((resolve) => stream.on('finish', resolve));
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    const stats = log.stats();
    expectAddsUp(stats);
    expect(stats).toMatchObject({ logged: 5, delivered: 5, failed: 0 });
    // Delivered means Loki holds each: five entries, not one; and the resent push added none.
    expect(loki.requests).toBe(2);
    expect(loki.taken).toHaveLength(5);
    await log.close();
  });

  it('a 500 (an ingester gone in a rollout) is retried, as Loki clients do, then every line is in Loki', async () => {
    const loki = await fakeLoki(() => undefined, 2, 500);
    const { log, dead } = logger('loki-500', { preset: 'loki', url: loki.url });
    for (let i = 0; i < 5; i++) log.info({ i }, `line ${i}`);
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    const stats = log.stats();
    expectAddsUp(stats);
    expect(dead()).toEqual([]);
    expect(stats).toMatchObject({ logged: 5, delivered: 5, failed: 0 });
    expect(loki.requests).toBe(3);
    expect(loki.taken).toHaveLength(5);
    await log.close();
  });
});
