import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/index.js';
import { DIST_ESM, requireBuild } from '../built.js';
import '../helpers.js';
import type { ControlledTransport } from '../helpers.js';
import { deadPort, readBody, tempFolder } from '../transports/http/receiver.js';
import { streamlog } from '../cli/run.js';

// pino's crlf (lines end in "\r\n") and hooks.streamWrite through everything that keeps,
// reads or splits lines: records waiting as runs of lines, the dead letter, the spool and
// its replay in the next process, the http presets that cut lines, and the CLI.

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A receiver on 127.0.0.1 that keeps each body as sent and answers `status`. */
async function bodyReceiver(status = 200, at = 0): Promise<{ url: string; port: number; bodies: string[] }> {
  const bodies: string[] = [];
  const server = createServer(async (req, res) => {
    bodies.push(await readBody(req));
    res.writeHead(status);
    res.end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(at, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/ingest`, port, bodies };
}

/** Each line of `text` ends in "\r\n", holds no other line end, and is a JSON object. */
function crlfLines(text: string): Record<string, unknown>[] {
  expect(text.endsWith('\r\n')).toBe(true);
  const lines = text.split('\r\n');
  expect(lines.pop()).toBe('');
  for (const line of lines) expect(line).not.toMatch(/[\r\n]/);
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('crlf and hooks.streamWrite where lines are kept and read', () => {
  it('records waiting as runs of lines come back whole, ending in "\\r\\n", the hook run once each', () => {
    let hooked = 0;
    const log = createLogger({
      exitFlush: false,
      base: null,
      crlf: true,
      hooks: {
        streamWrite: (line) => {
          hooked++;
          return line.replace('{', '{"hooked":1,');
        },
      },
      transports: [{ type: 'controlled', mode: 'stall', maxQueue: { maxRecords: 4 } } as never],
    });
    const target = log.transports[0] as ControlledTransport;
    const child = log.child({ reqId: 'r-1' });
    for (let i = 0; i < 2000; i++) (i % 2 ? child : log).info({ i, text: 'a\r\nb' }, `record ${i}`);
    expect(log.stats().targets[0]!.queueDepth).toBe(2000);
    while (target.held.length > 0) target.release();
    expect(target.received).toHaveLength(2000);
    expect(hooked).toBe(2000);
    target.received.forEach((record, i) => {
      const line = record.json();
      const [parsed] = crlfLines(line);
      expect(line.match(/"hooked"/g)).toHaveLength(1);
      expect(parsed).toMatchObject({ hooked: 1, i, text: 'a\r\nb', msg: `record ${i}` });
      expect(parsed!.reqId).toBe(i % 2 ? 'r-1' : undefined);
      expect(record.fields).toMatchObject({ i, text: 'a\r\nb' });
      expect(record.msg).toBe(`record ${i}`);
      expect(record.view()).toEqual(parsed);
    });
  });

  it('the dead letter keeps each failed record whole, its own lines ending in "\\r\\n"', async () => {
    const dir = tempFolder('crlf-dead');
    const deadLetter = join(dir, 'dead.ndjson');
    const log = createLogger({
      exitFlush: false,
      base: null,
      crlf: true,
      diagnostics: false,
      router: { deadLetter },
      transports: [{ type: 'controlled', mode: 'fail' } as never],
    });
    for (let i = 0; i < 3; i++) log.warn({ i }, `failed ${i}`);
    await log.close();
    const entries = crlfLines(readFileSync(deadLetter, 'utf8'));
    expect(entries.map((entry) => entry.record)).toEqual(
      [0, 1, 2].map((i) => ({ level: 40, time: expect.any(Number), i, msg: `failed ${i}` })),
    );
  });

  it('the json and loki presets send bodies without the "\\r" of the lines they are made from', async () => {
    const json = await bodyReceiver();
    const loki = await bodyReceiver(204);
    const log = createLogger({
      exitFlush: false,
      base: null,
      crlf: true,
      transports: [
        { type: 'http', url: json.url, preset: 'json', batch: { intervalMs: 10 } },
        { type: 'http', url: loki.url, preset: 'loki', batch: { intervalMs: 10 } },
      ] as never,
    });
    log.info({ i: 0 }, 'zero');
    log.info({ i: 1 }, 'one');
    await log.close();
    const records = json.bodies.flatMap((body) => JSON.parse(body) as Record<string, unknown>[]);
    expect(records.map((r) => r.msg)).toEqual(['zero', 'one']);
    expect(json.bodies.join('')).not.toContain('\\r');
    expect(json.bodies.join('')).not.toContain('\r');
    const values = loki.bodies.flatMap((body) =>
      (JSON.parse(body) as { streams: { values: string[][] }[] }).streams.flatMap((s) => s.values),
    );
    expect(values.map((v) => JSON.parse(v[1]!).msg)).toEqual(['zero', 'one']);
    for (const v of values) expect(v[1]).not.toMatch(/[\r\n]/);
  });

  it('a spool written with crlf and a hook is replayed by the next process: "\\r\\n" lines, hooked once', async () => {
    requireBuild();
    const dir = tempFolder('crlf-spool');
    const spoolDir = join(dir, 'spool');
    // Nothing listens there yet: every send is refused until the first process exits.
    const port = await deadPort();
    const url = `http://127.0.0.1:${port}/ingest`;
    const config = (url: string) => `{ base: null, crlf: true,
      hooks: { streamWrite: (line) => line.replace('{', '{"hooked":1,') },
      transports: [{ type: 'http', url: ${JSON.stringify(url)}, spool: { dir: ${JSON.stringify(spoolDir)} },
        batch: { intervalMs: 10 }, retry: { maxAttempts: 1000, baseMs: 20, maxMs: 50 } }] }`;
    const script = (url: string, body: string) =>
      `import { createLogger } from ${JSON.stringify(DIST_ESM)};
       const log = createLogger(${config(url)});
       ${body}`;
    const first = spawnSync(
      'sh',
      ['-c', `ulimit -f 8192 && exec "${process.execPath}" --input-type=module -e "$SCRIPT"`],
      {
        encoding: 'utf8',
        timeout: 20_000,
        killSignal: 'SIGKILL',
        env: {
          ...process.env,
          SCRIPT: script(
            url,
            `for (let i = 0; i < 50; i++) log.info({ i }, 'while down');
             setTimeout(() => process.exit(0), 300);`,
          ),
        },
      },
    );
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const spooled = readdirSync(spoolDir).filter((f) => f.endsWith('.ndjson'));
    expect(spooled.length).toBeGreaterThan(0);
    const onDisk = spooled.map((f) => readFileSync(join(spoolDir, f), 'utf8')).join('');
    expect(crlfLines(onDisk)).toHaveLength(50);
    expect(onDisk.match(/"hooked"/g)).toHaveLength(50);

    const up = await bodyReceiver(200, port);
    const { execFile } = await import('node:child_process');
    const second = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
      execFile(
        'sh',
        ['-c', `ulimit -f 8192 && exec "${process.execPath}" --input-type=module -e "$SCRIPT"`],
        {
          encoding: 'utf8',
          timeout: 20_000,
          killSignal: 'SIGKILL',
          env: {
            ...process.env,
            SCRIPT: script(
              url,
              `await new Promise((resolve) => setTimeout(resolve, 300));
               log.info({ i: 50 }, 'after the restart');
               await log.close();
               process.stdout.write(JSON.stringify(log.stats().targets[0]));`,
            ),
          },
        },
        (_error, stdout, stderr) => resolve({ stdout, stderr }),
      );
    });
    expect(second.stderr).toBe('');
    expect(JSON.parse(second.stdout)).toMatchObject({ replayed: 50, replayFailed: 0, delivered: 1 });
    const sent = up.bodies.join('');
    const records = crlfLines(sent);
    expect(records.map((r) => r.i)).toEqual(Array.from({ length: 51 }, (_, i) => i));
    // The hook saw each line once, when it was first built: not again when replayed.
    expect(sent.match(/"hooked"/g)).toHaveLength(51);
    for (const r of records) expect(r.hooked).toBe(1);
  }, 60_000);

  it('the CLI pipes "\\r\\n" lines into a crlf file, and pretty reads that file back', async () => {
    const dir = tempFolder('crlf-cli');
    const config = join(dir, 'streamlog.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(config, JSON.stringify({ crlf: true, transports: [{ type: 'file', path: 'out/app.log' }] }));
    const input = [0, 1, 2]
      .map((i) => JSON.stringify({ level: 30, time: 1700000000000 + i, i, msg: `m${i}` }))
      .join('\r\n');
    const piped = await streamlog(['pipe', '--config', config], { input: `${input}\r\n` });
    expect(piped.stderr).toBe('');
    expect(piped.code).toBe(0);
    const written = readFileSync(join(dir, 'out', 'app.log'), 'utf8');
    expect(crlfLines(written).map((r) => [r.i, r.msg])).toEqual([
      [0, 'm0'],
      [1, 'm1'],
      [2, 'm2'],
    ]);
    const pretty = await streamlog(['pretty', '--colour', 'never', '--utc'], { input: written });
    expect(pretty.code).toBe(0);
    expect(pretty.stdout).not.toContain('\r');
    // A record's line, then its fields on lines of their own.
    expect(pretty.stdout.split('\n').filter((line) => line.startsWith('['))).toHaveLength(3);
    expect(pretty.stdout).toContain('m2');
  });
});
