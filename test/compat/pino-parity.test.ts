import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, request } from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../../src/index.js';
import { Collector } from '../helpers.js';

// The same calls through pino and streamlog, the lines compared as parsed JSON: secrets stay
// redacted on every path, and no call shape loses the record.

type Line = Record<string, unknown>;

function both(redact: string[]): { ours: Logger; theirs: pino.Logger; lines: () => [Line[], Line[]] } {
  const out = new Collector();
  const ours = createLogger({ exitFlush: false, base: null, timestamp: false, redact, transports: [out] });
  const pinoLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      pinoLines.push(...chunk.toString().split('\n').filter(Boolean));
      callback();
    },
  });
  const theirs = pino({ base: null, timestamp: false, redact }, sink);
  return {
    ours,
    theirs,
    lines: () => [out.json(), pinoLines.map((l) => JSON.parse(l) as Line)],
  };
}

/** Both loggers, called the same way (their method types differ only in overloads). */
type Calls = { info: (...args: unknown[]) => void; error: (...args: unknown[]) => void };
function pair(ours: Logger, theirs: pino.Logger): Calls[] {
  return [ours as unknown as Calls, theirs as unknown as Calls];
}

/** What an error looks like on either side, stack aside (it names the call site). */
function withoutStacks(line: Line): Line {
  return JSON.parse(JSON.stringify(line, (key, value) => (key === 'stack' ? undefined : value))) as Line;
}

describe('secrets stay redacted on every path (as pino)', () => {
  it('objects interpolated with %j, %o and %O, and objects appended after the template', async () => {
    const { ours, theirs, lines } = both(['a', 'nested.token']);
    for (const log of pair(ours, theirs)) {
      log.info('%j', { a: 'secret-1' });
      log.info('%o and %O', { a: 'secret-2' }, { a: 'secret-3', c: 1, nested: { token: 'secret-4' } });
    }
    await ours.flush();
    const [mine, pinos] = lines();
    expect(mine.map((l) => l.msg)).toEqual(pinos.map((l) => l.msg));
    expect(JSON.stringify(mine)).not.toMatch(/secret-/);
  });

  it('redact: ["msg"] redacts the message, whatever made it', async () => {
    const { ours, theirs, lines } = both(['msg']);
    for (const log of pair(ours, theirs)) {
      log.info('password is %s', 'hunter2');
      log.info({ user: 7 }, 'plain');
    }
    await ours.flush();
    const [mine, pinos] = lines();
    expect(mine).toEqual(pinos);
    expect(mine[0]).toEqual({ level: 30, msg: '[Redacted]' });
  });

  it('values inside a Map are redacted by the same paths as an object’s', async () => {
    const { ours, lines } = both(['m.token', 'list[*].key']);
    ours.info(
      {
        m: new Map<string, unknown>([
          ['token', 'secret-5'],
          ['kept', 1],
        ]),
        list: [new Map([['key', 'secret-6']])],
      },
      'maps',
    );
    await ours.flush();
    const [mine] = lines();
    // pino writes a Map as {} (JSON.stringify's view): nothing leaks there either.
    expect(mine[0]).toMatchObject({ m: { token: '[Redacted]', kept: 1 }, list: [{ key: '[Redacted]' }] });
    expect(JSON.stringify(mine)).not.toMatch(/secret-/);
  });

  it('log.info(req) with a real request: { req } by the standard serializer, its token redacted', async () => {
    const { ours, theirs, lines } = both(['req.headers.authorization']);
    const server = createServer((req: IncomingMessage, res) => {
      ours.info(req);
      theirs.info(req);
      ours.info(req, 'with a message');
      theirs.info(req, 'with a message');
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve, reject) => {
      const req = request({
        port,
        host: '127.0.0.1',
        path: '/orders?id=7',
        headers: { authorization: 'Bearer s3cr3t' },
      });
      req.on('response', (res) => res.resume().on('end', resolve));
      req.on('error', reject);
      req.end();
    });
    await new Promise((resolve) => server.close(resolve));
    await ours.flush();
    const [mine, pinos] = lines();
    const ignorePort = (l: Line) => ({ ...l, req: { ...(l.req as Line), remotePort: 0 } });
    expect(mine.map(ignorePort)).toEqual(pinos.map(ignorePort));
    expect(mine[0]!.req).toMatchObject({ method: 'GET', url: '/orders?id=7' });
    expect(JSON.stringify(mine)).not.toContain('s3cr3t');
    expect(JSON.stringify(mine)).not.toContain('rawHeaders');
  });
});

describe('printf as pino', () => {
  it('%d and %i of a BigInt give its digits; %i floors', async () => {
    const { ours, theirs, lines } = both([]);
    for (const log of pair(ours, theirs)) {
      log.info('%d and %i', 10n, 10n);
      log.info('%i %i %i', -1.5, 7.9, '3.2');
    }
    await ours.flush();
    const [mine, pinos] = lines();
    expect(mine).toEqual(pinos);
    expect(mine.map((l) => l.msg)).toEqual(['10 and 10', '-2 7 3']);
  });
});

describe('errors as pino writes them', () => {
  it('causes in message and stack, aggregateErrors, the constructor as type', async () => {
    const { ours, theirs, lines } = both([]);
    const inner = new TypeError('inner');
    const outer = new Error('outer', { cause: inner });
    const renamed = Object.assign(new Error('renamed'), { name: 'X' });
    const many = new AggregateError([new Error('one'), outer], 'many');
    for (const log of pair(ours, theirs)) {
      log.error(outer);
      log.error(renamed);
      log.error(many);
    }
    await ours.flush();
    const [mine, pinos] = lines();
    // Ours also keeps each cause as an object under `cause` (pino folds it into message and stack only).
    const withoutCause = (line: Line): Line =>
      JSON.parse(JSON.stringify(line, (key, value) => (key === 'cause' ? undefined : value))) as Line;
    expect(mine.map(withoutCause)).toEqual(pinos);
    expect(mine[0]).toMatchObject({ msg: 'outer', err: { message: 'outer: inner', cause: { message: 'inner' } } });
  });
});

describe('no call shape loses the record (as pino)', () => {
  it('an object as the message keeps the fields; a null-prototype one too', async () => {
    const out = new Collector();
    const log = createLogger({ exitFlush: false, base: null, timestamp: false, transports: [out] });
    log.info({ a: 1 }, { b: 2 });
    log.info({ a: 1 }, Object.create(null));
    log.error(new Error('boom'), Object.create(null));
    await log.flush();
    const [first, second, third] = out.json();
    // pino writes the object itself as msg; here a message is always a string: its JSON text.
    expect(first).toEqual({ level: 30, a: 1, msg: '{"b":2}' });
    expect(second).toEqual({ level: 30, a: 1, msg: '{}' });
    expect(third).toMatchObject({ level: 50, err: { message: 'boom' }, msg: '{}' });
  });

  it('{ err } without a message, and log.error(err, undefined), take the error’s message', async () => {
    const { ours, theirs, lines } = both([]);
    const err = new Error('disk full');
    for (const log of pair(ours, theirs)) {
      log.info({ err });
      log.error(err, undefined);
      log.info({ err: 'not an error' });
    }
    await ours.flush();
    const [mine, pinos] = lines();
    expect(mine.map(withoutStacks)).toEqual(pinos.map(withoutStacks));
    expect(mine.map((l) => l.msg)).toEqual(['disk full', 'disk full', undefined]);
  });
});

describe("pino's options and members", () => {
  const quiet = { exitFlush: false, base: null } as const;

  it('enabled: false logs nothing; customLevels is levels; both at once is a ConfigError', async () => {
    const out = new Collector();
    const off = createLogger({ ...quiet, enabled: false, transports: [out] });
    off.fatal('never');
    const audited = createLogger({ ...quiet, timestamp: false, customLevels: { audit: 35 }, transports: [out] });
    (audited as unknown as { audit: (msg: string) => void }).audit('kept');
    await off.flush();
    await audited.flush();
    expect(out.json()).toEqual([{ level: 35, msg: 'kept' }]);
    expect(() => createLogger({ ...quiet, levels: { a: 35 }, customLevels: { b: 36 } })).toThrow(
      /^customLevels: expected levels or customLevels/,
    );
  });

  it('timestamp: true and pino time functions', async () => {
    const times: unknown[] = [];
    for (const timestamp of [true, pino.stdTimeFunctions.epochTime, pino.stdTimeFunctions.isoTime]) {
      const out = new Collector();
      const log = createLogger({ ...quiet, timestamp, transports: [out] });
      log.info('t');
      await log.flush();
      times.push(out.json()[0]!.time);
    }
    expect(typeof times[0]).toBe('number');
    expect(typeof times[1]).toBe('number');
    expect(times[2]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    const out = new Collector();
    const untimed = createLogger({ ...quiet, timestamp: pino.stdTimeFunctions.nullTime, transports: [out] });
    untimed.info('t');
    await untimed.flush();
    expect(out.json()[0]).not.toHaveProperty('time');
    expect(() => createLogger({ ...quiet, timestamp: pino.stdTimeFunctions.unixTime })).toThrow(
      /^timestamp: expected "epoch", "iso", true, false or pino's epochTime/,
    );
  });

  it('onChild hears every child; version is the package version', () => {
    const children: Logger[] = [];
    const log = createLogger({ ...quiet, transports: [new Collector()], onChild: (child) => children.push(child) });
    const child = log.child({ a: 1 });
    const grandchild = child.child({ b: 2 });
    expect(children).toEqual([child, grandchild]);
    expect(log.version).toBe(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
  });

  it("level-change fires as pino's does", () => {
    const seen: unknown[][] = [];
    const ours = createLogger({ ...quiet, transports: [new Collector()] });
    const theirs = pino({ base: null }, new Collector());
    ours.on('level-change', (label, value, previousLabel, previousValue) =>
      seen.push(['ours', label, value, previousLabel, previousValue]),
    );
    theirs.on('level-change', (label, value, previousLabel, previousValue) =>
      seen.push(['pino', label, value, previousLabel, previousValue]),
    );
    ours.level = 'debug';
    theirs.level = 'debug';
    expect(seen).toEqual([
      ['ours', 'debug', 20, 'info', 30],
      ['pino', 'debug', 20, 'info', 30],
    ]);
  });
});

describe('errorKey and nestedKey, as pino', () => {
  it('the same lines for errors under errorKey and fields under nestedKey', async () => {
    const out = new Collector();
    const options = { errorKey: 'error', nestedKey: 'payload' };
    const ours = createLogger({ exitFlush: false, base: null, timestamp: false, ...options, transports: [out] });
    const pinoLines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        pinoLines.push(...chunk.toString().split('\n').filter(Boolean));
        callback();
      },
    });
    const theirs = pino({ base: null, timestamp: false, ...options }, sink);
    for (const log of pair(ours, theirs)) {
      log.info({ a: 1, b: { c: 2 } }, 'nested');
      log.error(new Error('boom'));
      log.info('plain');
    }
    await ours.flush();
    const mine = out.json().map(withoutStacks);
    expect(mine).toEqual(pinoLines.map((l) => withoutStacks(JSON.parse(l) as Line)));
    expect(mine[0]).toEqual({ level: 30, payload: { a: 1, b: { c: 2 } }, msg: 'nested' });
    expect(mine[1]).toMatchObject({ payload: { error: { type: 'Error', message: 'boom' } }, msg: 'boom' });
  });
});

describe('mixin and formatters, as pino', () => {
  it('mixin (and its merge strategy), formatters.log and formatters.bindings give the same lines', async () => {
    const out = new Collector();
    const mixin = (fields: Record<string, unknown>, level: number) => ({
      requestId: 'r-1',
      level30: level === 30,
      a: 0,
    });
    const options = {
      mixin,
      formatters: {
        log: (fields: Record<string, unknown>) => ({ ...fields, shaped: true }),
        bindings: (bindings: Record<string, unknown>) => ({ service: 'api', ...bindings }),
      },
    };
    const base = { region: 'eu' };
    const ours = createLogger({ exitFlush: false, base, timestamp: false, ...options, transports: [out] });
    const pinoLines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        pinoLines.push(...chunk.toString().split('\n').filter(Boolean));
        callback();
      },
    });
    const theirs = pino({ base, timestamp: false, ...(options as unknown as pino.LoggerOptions) }, sink);
    for (const log of pair(ours, theirs)) {
      log.info('message only');
      log.info({ a: 1 }, 'the call wins over the mixin');
      log.error({ b: 2 }, 'at error');
    }
    const oursChild = ours.child({ reqId: 7 });
    const theirsChild = theirs.child({ reqId: 7 });
    oursChild.info('child');
    theirsChild.info('child');
    await ours.flush();
    const parsed = pinoLines.map((l) => JSON.parse(l) as Line);
    expect(out.json()).toEqual(parsed);
    expect(out.json()[1]).toMatchObject({ service: 'api', region: 'eu', a: 1, requestId: 'r-1', shaped: true });
  });
});
