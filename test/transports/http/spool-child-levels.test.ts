import type { Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createLogger, type LoggerOptions } from '../../../src/index.js';
import { ControlledTransport } from '../../helpers.js';
import { answeringReceiver, closeServersAfterEach, tempFolder } from './receiver.js';

// A child's own customLevels are the tree's to read and write: a record that waited (in a
// spool, or in the router's queue as its line) is named by them when it is sent, as a live one.

const servers: Server[] = [];
closeServersAfterEach(servers);

describe('a child’s own level names on records read back', () => {
  it('a record parked in a spool by one logger is sent by the next under its child’s level name', async () => {
    let down = true;
    const streams: [string, string][] = [];
    const receiver = await answeringReceiver(
      servers,
      (_req, res, body) => {
        if (!down) {
          const push = JSON.parse(body) as { streams: { stream: { level: string }; values: [string, string][] }[] };
          for (const s of push.streams) for (const [, line] of s.values) streams.push([s.stream.level, line]);
        }
        res.writeHead(down ? 503 : 204);
        res.end();
      },
      '/loki/api/v1/push',
    );
    const transport = {
      type: 'http',
      preset: 'loki',
      url: receiver.url,
      spool: { dir: tempFolder('spool-child-levels') },
      batch: { intervalMs: 10 },
      retry: { maxAttempts: 1, baseMs: 10, maxMs: 10 },
    };
    const config = { exitFlush: false, diagnostics: false as const, transports: [transport] } as LoggerOptions;
    const first = createLogger(config);
    first.child({}, { customLevels: { audit: 45 } }).audit('parked');
    while (first.stats().pendingDetail.spooled < 1) await new Promise((r) => setTimeout(r, 10));
    await first.close();

    down = false;
    const second = createLogger(config);
    second.child({}, { customLevels: { audit: 45 } }).audit('live');
    while (streams.length < 2) await new Promise((r) => setTimeout(r, 10));
    await second.close();
    // Before, the live record was "audit" and the parked one "level45" (the tree did not know the name).
    const named = streams.map(([level, line]) => [level, (JSON.parse(line) as { msg: string }).msg]);
    expect(named.sort()).toEqual([
      ['audit', 'live'],
      ['audit', 'parked'],
    ]);
  });

  it('levelFormat "label": a child’s record parked and sent by the same logger keeps its level name', async () => {
    const receiver = await downReceiver();
    const log = parkingLogger(receiver.url, { levelFormat: 'label' });
    const audit = log.child({ s: 'a' }, { customLevels: { audit: 35 } });
    const trail = log.child({ s: 'b' }, { customLevels: { audit: 35, trail: 36 } });
    audit.audit('A');
    trail.trail('B');
    while (log.stats().pendingDetail.spooled < 2) await new Promise((r) => setTimeout(r, 10));
    receiver.up();
    expect(await log.flush({ timeoutMs: 5000 })).toBe(true);
    await log.close();
    // Before: {"level":"info","invalidLevel":"audit"}: read back, the name was not the tree's.
    expect(receiver.lines.map((line) => JSON.parse(line))).toEqual([
      { level: 'audit', s: 'a', msg: 'A' },
      { level: 'trail', s: 'b', msg: 'B' },
    ]);
  });

  it('formatters.level fields of a parked record are written once, as a live one’s', async () => {
    for (const level of [
      (label: string, value: number) => ({ severity: label.toUpperCase(), level: value }),
      (label: string) => ({ severity: label.toUpperCase() }),
      (label: string) => ({ level: label.toUpperCase() }),
    ]) {
      const receiver = await downReceiver();
      const log = parkingLogger(receiver.url, { formatters: { level } });
      log.warn('parked');
      while (log.stats().pendingDetail.spooled < 1) await new Promise((r) => setTimeout(r, 10));
      receiver.up();
      log.error('live');
      expect(await log.flush({ timeoutMs: 5000 })).toBe(true);
      await log.close();
      // Before: {"severity":"WARN","level":40,"severity":"WARN",…}, or "info" with the fields kept.
      const written = (message: string, value: number) =>
        `${JSON.stringify({ ...level(message === 'parked' ? 'warn' : 'error', value), msg: message })}`;
      expect(receiver.lines).toEqual([written('parked', 40), written('live', 50)]);
    }
  });

  it('formatters.level with no number: a child’s own level, and two levels written alike, read back', async () => {
    // As a GCP mapping: trace and debug are both DEBUG.
    const severity = (label: string) => ({ severity: label === 'trace' ? 'DEBUG' : label.toUpperCase() });
    const receiver = await downReceiver();
    const log = parkingLogger(receiver.url, { level: 'trace', formatters: { level: severity } });
    log.child({}, { customLevels: { audit: 35 } }).audit('audit');
    log.debug('debug');
    while (log.stats().pendingDetail.spooled < 2) await new Promise((r) => setTimeout(r, 10));
    receiver.up();
    expect(await log.flush({ timeoutMs: 5000 })).toBe(true);
    await log.close();
    // Before: the child's record came back as INFO (only the root's levels were tried).
    expect(receiver.lines.map((line) => JSON.parse(line))).toEqual([
      { severity: 'AUDIT', msg: 'audit' },
      { severity: 'DEBUG', msg: 'debug' },
    ]);
    // The numbers, from the router's spool: of two levels written alike, the higher (debug was read
    // back as trace, the first of them; now trace is read back as debug, never a record taken for less).
    const dir = tempFolder('router-spool-read-back');
    const config = { exitFlush: false, level: 'trace', formatters: { level: severity }, router: { spool: { dir } } };
    const stalled = new ControlledTransport({ id: 't', mode: 'stall' });
    const first = createLogger({ ...config, transports: [{ transport: stalled, maxQueue: { maxRecords: 2 } }] });
    for (const [level, message] of [
      [20, 'held'],
      [20, 'debug'],
      [10, 'trace'],
      [40, 'warn'],
    ] as const) {
      first.log(level, message);
    }
    await first.close({ timeoutMs: 20 });
    const delivering = new ControlledTransport({ id: 't' });
    const next = createLogger({ ...config, transports: [delivering] });
    expect(await next.flush({ timeoutMs: 2000 })).toBe(true);
    await next.close();
    expect(delivering.received.map((record) => [record.level, record.msg])).toEqual([
      [20, 'debug'],
      [20, 'trace'],
      [40, 'warn'],
    ]);
  });

  it('formatters.level writing a number of its own under level, or changed since the line was parked', async () => {
    const severityNumber: Record<string, number> = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 };
    const otel = (label: string) => ({ level: severityNumber[label], severity: label });
    const replay = async (parked: LoggerOptions['formatters'], replaying: LoggerOptions['formatters']) => {
      const dir = tempFolder('router-spool-formatter');
      const stalled = new ControlledTransport({ id: 't', mode: 'stall' });
      const first = createLogger({
        exitFlush: false,
        formatters: parked,
        router: { spool: { dir } },
        transports: [{ transport: stalled, maxQueue: { maxRecords: 2 } }],
      });
      first.info('held');
      first.error('parked');
      await first.close({ timeoutMs: 20 });
      const delivering = new ControlledTransport({ id: 't' });
      const next = createLogger({
        exitFlush: false,
        formatters: replaying,
        router: { spool: { dir } },
        transports: [delivering],
      });
      expect(await next.flush({ timeoutMs: 2000 })).toBe(true);
      await next.close();
      return delivering.received.map((record) => ({ level: record.level, invalid: record.fields?.invalidLevel }));
    };
    // Before: 17, the formatter's own number taken for the level.
    expect(await replay({ level: otel }, { level: otel })).toEqual([{ level: 50, invalid: undefined }]);
    // Parked with the label under level, replayed with another formatter: the label is read; before, an
    // empty invalidLevel was added.
    const label = (name: string) => ({ level: name });
    const severity = (name: string) => ({ severity: name.toUpperCase() });
    expect(await replay({ level: label }, { level: severity })).toEqual([{ level: 50, invalid: undefined }]);
  });

  it('a child’s level the formatter writes nothing for: a JSON line live, its own level read back', async () => {
    const names: Record<string, string> = { trace: 'T', debug: 'D', info: 'I', warn: 'W', error: 'E', fatal: 'F' };
    const config = { exitFlush: false, formatters: { level: (l: string) => ({ severity: names[l] }) } };
    const dir = tempFolder('router-spool-child-no-field');
    const stalled = new ControlledTransport({ id: 't', mode: 'stall' });
    const first = createLogger({
      ...config,
      router: { spool: { dir } },
      transports: [{ transport: stalled, maxQueue: { maxRecords: 2 } }],
    });
    first.info('held');
    // Before: the line was `{,"time":…` (no JSON), and read back as a message of raw text.
    (first.child({}, { customLevels: { audit: 55 } }) as unknown as { audit(m: string): void }).audit('audit');
    first.info('info');
    await first.close({ timeoutMs: 20 });
    const delivering = new ControlledTransport({ id: 't' });
    const next = createLogger({ ...config, router: { spool: { dir } }, transports: [delivering] });
    expect(await next.flush({ timeoutMs: 2000 })).toBe(true);
    await next.close();
    // Before: an empty set of fields matched every line, and both came back at 55.
    expect(delivering.received.map((record) => [record.level, record.msg])).toEqual([
      [55, 'audit'],
      [30, 'info'],
    ]);
  });
});

/** An ndjson receiver that answers 503 until `up()`, then keeps the lines it is sent. */
async function downReceiver(): Promise<{ url: string; lines: string[]; up(): void }> {
  let down = true;
  const lines: string[] = [];
  const receiver = await answeringReceiver(servers, (_req, res, body) => {
    if (!down) lines.push(...body.split('\n').filter(Boolean));
    res.writeHead(down ? 503 : 200);
    res.end();
  });
  return { url: receiver.url, lines, up: () => (down = false) };
}

/** A logger whose one target, an http one at `url`, parks what it cannot send in a spool. */
function parkingLogger(url: string, options: LoggerOptions, entry: Record<string, unknown> = {}) {
  return createLogger({
    exitFlush: false,
    diagnostics: false,
    timestamp: false,
    base: null,
    ...options,
    transports: [
      {
        type: 'http',
        preset: 'ndjson',
        url,
        spool: { dir: tempFolder('spool-read-back') },
        batch: { intervalMs: 10 },
        retry: { maxAttempts: 1, baseMs: 10, maxMs: 10 },
        ...entry,
      },
    ],
  } as LoggerOptions);
}
