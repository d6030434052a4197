import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, MemoryTransport } from '../../../src/index.js';
import { tempFolder } from '../../transports/http/receiver.js';
import { spoolFile } from '../../transports/http/spool-fixture.js';

// An open spool renews its lock every minute and makes it again when something removed it.
// When it cannot (another live process holds the lock now), the logger says so once, as a
// `diagnostic`: two loggers may be using one spool file.

const folders: string[] = [];

afterEach(() => {
  vi.useRealTimers();
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function folder(): string {
  const dir = tempFolder('spool-lock-lost');
  folders.push(dir);
  return dir;
}

/** A pid that is alive and not this process's: the test runner that started this worker. */
const otherOwner = process.ppid;

const expected = (prefix: string, lock: string) =>
  `${prefix}: spool lock ${lock} could not be kept (it names another owner now (pid ${otherOwner})): ` +
  `another logger may be using ${lock.replace(/\.lock$/, '')} as well`;

/** Diagnostics about spool locks heard while the lock keeper runs three times. */
async function lockDiagnostics(entry: unknown, lock: string, router?: Record<string, unknown>): Promise<string[]> {
  // Only the interval is faked: the lock keeper runs when told, everything else as it would.
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  const log = createLogger({ exitFlush: false, router, transports: [entry as never] });
  const told: string[] = [];
  log.on('diagnostic', (message: string) => told.push(message));
  writeFileSync(lock, String(otherOwner));
  for (let minute = 0; minute < 3; minute++) vi.advanceTimersByTime(60_000);
  await log.close();
  return told.filter((message) => message.includes('spool lock'));
}

const URL = 'http://127.0.0.1:9/ingest'; // nothing is logged, so nothing is sent

describe('a spool lock another process took', () => {
  it('of an http target: one diagnostic naming the lock, the reason and the file', async () => {
    const dir = folder();
    const lock = `${spoolFile(dir, URL)}.lock`;
    const entry = { type: 'http', url: URL, spool: { dir: join(dir, 'spool') } };
    expect(await lockDiagnostics(entry, lock)).toEqual([expected('http#0', lock)]);
  });

  it('of an http target nested in validating: the same diagnostic, through the wrapper', async () => {
    const dir = folder();
    const lock = `${spoolFile(dir, URL)}.lock`;
    const entry = {
      type: 'validating',
      schema: { type: 'object' },
      target: { type: 'http', url: URL, spool: { dir: join(dir, 'spool') } },
    };
    expect(await lockDiagnostics(entry, lock)).toEqual([expected('validating#0: http(in validating#0)', lock)]);
  });

  it("of the router's spool: one diagnostic naming the target", async () => {
    const dir = folder();
    const lock = join(dir, 'memory_0.ndjson.lock'); // the id, made a file name
    const told = await lockDiagnostics(new MemoryTransport(), lock, { spool: { dir } });
    expect(told).toEqual([expected('memory#0', lock)]);
  });
});
