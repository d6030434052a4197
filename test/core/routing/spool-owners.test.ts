import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../../../src/index.js';
import { ControlledTransport } from '../../helpers.js';

/*
 * Loggers of other services may share `router.spool.dir`. A target's spool files are named
 * after its id, and ids such as "x" and "x.2", or "a/b" and "a_b", give names another id's
 * files also have: each file says which target it belongs to, so no start replays one
 * target's records to another's destination.
 */

const messages = (transport: ControlledTransport) => transport.received.map((record) => record.msg);

/** A logger whose one target, `id`, sends nothing: what it logs past its queue is spooled. */
function stalledLogger(dir: string, id: string): Logger {
  return createLogger({
    exitFlush: false,
    diagnostics: false,
    router: { spool: { dir } },
    transports: [{ transport: new ControlledTransport({ id, mode: 'stall' }), maxQueue: { maxRecords: 2 } }],
  });
}

/** Logs `count` records under `id` and closes with them left in the spool for the next start. */
async function leaveInSpool(dir: string, id: string, count: number): Promise<void> {
  const log = stalledLogger(dir, id);
  for (let i = 0; i < count; i++) log.info(`${id} ${i}`);
  expect(log.stats().targets[0]!.spooled).toBe(count - 1);
  expect(await log.close({ timeoutMs: 20 })).toBe(false);
}

/** Starts a logger with a target `id` that delivers, and returns what it received from the spool. */
async function replayed(dir: string, id: string): Promise<(string | undefined)[]> {
  const transport = new ControlledTransport({ id, mode: 'ok' });
  const log = createLogger({
    exitFlush: false,
    diagnostics: false,
    router: { spool: { dir } },
    transports: [transport],
  });
  expect(await log.flush({ timeoutMs: 2000 })).toBe(true);
  await log.close();
  return messages(transport);
}

const numbered = (id: string, from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `${id} ${from + i}`);

describe("a target's spool files in a folder other loggers share", () => {
  it('"x" does not adopt the file "x.2" left: each target replays only its own records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-spool-owners-'));
    await leaveInSpool(dir, 'x.2', 10);
    // Before: x's start adopted x.2.ndjson as its own continuation and sent its records to x.
    expect(await replayed(dir, 'x')).toEqual([]);
    expect(await replayed(dir, 'x.2')).toEqual(numbered('x.2', 1, 10));
  });

  it('"a/b" and "a_b", whose files share a name, each replay only their own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-spool-owners-'));
    await leaveInSpool(dir, 'a/b', 5);
    expect(await replayed(dir, 'a_b')).toEqual([]);
    await leaveInSpool(dir, 'a_b', 4);
    expect(await replayed(dir, 'a/b')).toEqual(numbered('a/b', 1, 5));
    expect(await replayed(dir, 'a_b')).toEqual(numbered('a_b', 1, 4));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('two loggers with one target id, live together, leave two files that the next start replays both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-spool-owners-'));
    const [one, two] = [stalledLogger(dir, 'x'), stalledLogger(dir, 'x')];
    for (let i = 0; i < 4; i++) one.info(`x ${i}`);
    for (let i = 4; i < 8; i++) two.info(`x ${i}`);
    await Promise.all([one.close({ timeoutMs: 20 }), two.close({ timeoutMs: 20 })]);
    expect(readdirSync(dir).filter((name) => name.endsWith('.ndjson'))).toEqual(['x.2.ndjson', 'x.ndjson']);
    // x.2.ndjson is x's second file here, not target "x.2"'s.
    expect(await replayed(dir, 'x.2')).toEqual([]);
    expect((await replayed(dir, 'x')).sort()).toEqual([...numbered('x', 1, 4), ...numbered('x', 5, 8)]);
  });

  it('one logger with block targets "x" and "x.2" keeps them apart across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-spool-owners-'));
    const both = (mode: 'stall' | 'ok') => ['x', 'x.2'].map((id) => new ControlledTransport({ id, mode }));
    const stalled = both('stall');
    const first = createLogger({
      exitFlush: false,
      diagnostics: false,
      router: { spool: { dir } },
      transports: stalled.map((transport) => ({ transport, maxQueue: { maxRecords: 2 } })),
    });
    for (let i = 0; i < 6; i++) first.info(`r${i}`);
    await first.close({ timeoutMs: 20 });
    // The second file of "x", if a live "x" elsewhere held the first, would not be "x.2"'s.
    const delivering = both('ok').reverse();
    const next = createLogger({
      exitFlush: false,
      diagnostics: false,
      router: { spool: { dir } },
      transports: delivering,
    });
    expect(await next.flush({ timeoutMs: 2000 })).toBe(true);
    await next.close();
    for (const transport of delivering) expect(messages(transport)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
  });

  it('a file left by an earlier version, which says no owner, is adopted by the target it is named after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-spool-owners-'));
    const line = (message: string) => `${JSON.stringify({ level: 30, time: 1, msg: message })}\n`;
    writeFileSync(join(dir, 'x.ndjson'), line('old 1') + line('old 2'));
    expect(await replayed(dir, 'y')).toEqual([]);
    expect(await replayed(dir, 'x')).toEqual(['old 1', 'old 2']);
    expect(existsSync(join(dir, 'x.ndjson'))).toBe(false);
  });

  it('says its owner beside the file while it holds lines, and takes the mark away with the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-spool-owners-'));
    await leaveInSpool(dir, 'a/b', 3);
    expect(readFileSync(join(dir, 'a_b.ndjson.owner'), 'utf8')).toBe('a/b');
    await replayed(dir, 'a/b');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('ids near the file name limit are marked too: "Y" takes none of "Y.2"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-spool-owners-'));
    const y = 'a'.repeat(238);
    // Before: "<file>.owner.tmp" was past the 255-byte limit, the mark was dropped unsaid, and Y took them.
    await leaveInSpool(dir, `${y}.2`, 5);
    expect(await replayed(dir, y)).toEqual([]);
    expect(await replayed(dir, `${y}.2`)).toEqual(numbered(`${y}.2`, 1, 5));
  });

  it('a line is never spooled in a file that could not be marked: its record fails, counted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-spool-owners-'));
    // What stands at the mark's path cannot be replaced (a folder), as a full disk would refuse it.
    mkdirSync(join(dir, 'x.2.ndjson.owner'));
    const log = stalledLogger(dir, 'x.2');
    for (let i = 0; i < 4; i++) log.info(`x.2 ${i}`);
    expect(log.stats()).toMatchObject({ logged: 4, failed: 3, pending: 1 });
    expect(log.stats().targets[0]).toMatchObject({ spoolFailed: 3, spooled: 0 });
    await log.close({ timeoutMs: 20 });
    expect(await replayed(dir, 'x')).toEqual([]);
  });

  it('a mark that cannot be read is said, and its file left alone; an empty one is taken by name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-spool-owners-'));
    await leaveInSpool(dir, 'x', 3);
    rmSync(join(dir, 'x.ndjson.owner'));
    symlinkSync(join(dir, 'elsewhere'), join(dir, 'x.ndjson.owner'));
    const said: string[] = [];
    const transport = new ControlledTransport({ id: 'x', mode: 'ok' });
    const log = createLogger({
      exitFlush: false,
      diagnostics: (message) => said.push(message),
      router: { spool: { dir } },
      transports: [transport],
    });
    await log.close();
    // Before: passed over without a word, its records stranded.
    expect(messages(transport)).toEqual([]);
    expect(said.some((message) => /x\.ndjson: its owner mark .* cannot be read/.test(message))).toBe(true);
    // An empty mark (a crash as the file was made): taken as a file with no mark is.
    rmSync(join(dir, 'x.ndjson.owner'));
    writeFileSync(join(dir, 'x.ndjson.owner'), '');
    expect(await replayed(dir, 'x')).toEqual(numbered('x', 1, 3));
  });

  it('an id with a lone surrogate replays its own records (its mark is written as UTF-8)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-spool-owners-'));
    const id = 'x\ud800';
    await leaveInSpool(dir, id, 3);
    // Before: the mark read back as "x\ufffd", unequal, and the records stayed for ever.
    expect(await replayed(dir, id)).toEqual(numbered(id, 1, 3));
  });

  it('a mark an age-based cleaner removed is made again, at the latest as the logger closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-spool-owners-'));
    const log = stalledLogger(dir, 'x.2');
    for (let i = 0; i < 4; i++) log.info(`x.2 ${i}`);
    rmSync(join(dir, 'x.2.ndjson.owner'));
    await log.close({ timeoutMs: 20 });
    // Before: written once, never again: the file said no owner, and "x" took its records.
    expect(readFileSync(join(dir, 'x.2.ndjson.owner'), 'utf8')).toBe('x.2');
    expect(await replayed(dir, 'x')).toEqual([]);
  });

  it('a mark over 64 KiB, counted in bytes, is said and its file left alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-spool-owners-'));
    await leaveInSpool(dir, 'x', 2);
    // 70,000 bytes of 2-byte characters: 35,000 characters, under the limit counted in characters.
    writeFileSync(join(dir, 'x.ndjson.owner'), 'é'.repeat(35_000));
    const said: string[] = [];
    const log = createLogger({
      exitFlush: false,
      diagnostics: (message) => said.push(message),
      router: { spool: { dir } },
      transports: [new ControlledTransport({ id: 'x' })],
    });
    await log.close();
    expect(said.some((message) => message.includes("x.ndjson: its owner mark is no target's name"))).toBe(true);
  });

  it('a file a cleaner removed is not put back without its mark, when the mark cannot be made', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-spool-owners-'));
    const said: string[] = [];
    const log = createLogger({
      exitFlush: false,
      diagnostics: (message) => said.push(message),
      router: { spool: { dir } },
      transports: [{ transport: new ControlledTransport({ id: 'a/b', mode: 'stall' }), maxQueue: { maxRecords: 2 } }],
    });
    for (let i = 0; i < 4; i++) log.info(`a/b ${i}`);
    // The cleaner takes file and mark; what stands at the mark's path then cannot be replaced.
    rmSync(join(dir, 'a_b.ndjson'));
    rmSync(join(dir, 'a_b.ndjson.owner'));
    mkdirSync(join(dir, 'a_b.ndjson.owner'));
    await log.close({ timeoutMs: 20 });
    // Before: linked back first, the mark's failure swallowed, and "a_b" took a/b's records.
    expect(existsSync(join(dir, 'a_b.ndjson'))).toBe(false);
    expect(said).toContainEqual(
      expect.stringMatching(/a_b\.ndjson was removed while in use .*: the lines it held .* are lost/),
    );
    rmSync(join(dir, 'a_b.ndjson.owner'), { recursive: true });
    expect(await replayed(dir, 'a_b')).toEqual([]);
  });

  it('a logger whose file was removed leaves another’s file at that path alone as it closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-spool-owners-'));
    const slash = stalledLogger(dir, 'a/b');
    for (let i = 0; i < 4; i++) slash.info(`a/b ${i}`);
    // A cleaner empties the folder; "a_b" then takes the name for its own records.
    for (const name of readdirSync(dir)) rmSync(join(dir, name));
    await leaveInSpool(dir, 'a_b', 4);
    await slash.close({ timeoutMs: 20 });
    // Before: the closing "a/b" wrote its mark (and its offset) over a_b's: a/b then replayed a_b's
    // records, and a_b's first lines were skipped.
    expect(readFileSync(join(dir, 'a_b.ndjson.owner'), 'utf8')).toBe('a_b');
    expect(existsSync(join(dir, 'a_b.ndjson.offset'))).toBe(false);
    expect(await replayed(dir, 'a/b')).toEqual([]);
    expect(await replayed(dir, 'a_b')).toEqual(numbered('a_b', 1, 4));
  });
});
