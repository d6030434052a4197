import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from './receiver.js';
import { receiversClosedAfterEach, replayInChild, spoolFile } from './spool-fixture.js';

// A spool file damaged between runs: the next start must neither crash nor lose the sound lines.

const receiver = receiversClosedAfterEach();

describe('a damaged spool file at start', () => {
  it('lines that are JSON but no record (null, a number, a string, an array) are sent as text, no crash', async () => {
    const live = await receiver('ok');
    const dir = tempFolder('spool-damaged-json');
    const lines = [
      '{"level":30,"time":1,"i":1,"msg":"a"}',
      'null',
      '5',
      '"text"',
      '[1,2]',
      '{"level":30,"time":1,"i":2}',
    ];
    writeFileSync(spoolFile(dir, live.url), `${lines.join('\n')}\n`);
    const { child, stats } = await replayInChild(live.url, dir, lines.length);
    expect(child.stderr).toBe('');
    expect(child.code).toBe(0);
    expect(stats.targets[0]!.replayed).toBe(lines.length);
    expect(live.received.filter((i) => i !== undefined)).toEqual([1, 2]);
    expect(live.received).toHaveLength(lines.length);
    expect(() => readFileSync(join(dir, 'dead.ndjson'))).toThrow();
  }, 30_000);
});

describe('a spool file with NUL bytes (a crash on a filesystem that extends the file before its data lands)', () => {
  it('the record after a run of NULs is replayed as itself; a line of NULs alone is sent as text', async () => {
    const live = await receiver('ok');
    const dir = tempFolder('spool-damaged-nul');
    const nuls = '\0'.repeat(4096);
    writeFileSync(
      spoolFile(dir, live.url),
      `{"level":30,"time":1,"i":1}\n${nuls}{"level":30,"time":1,"i":2}\n${nuls}\n`,
    );
    const { child, stats } = await replayInChild(live.url, dir, 3);
    expect(child.stderr).toBe('');
    expect(stats.targets[0]!.replayed).toBe(3);
    expect(live.received).toEqual([1, 2, undefined]);
  }, 30_000);
});
