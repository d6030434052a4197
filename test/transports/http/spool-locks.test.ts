import { utimesSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lineCount, runChild, tempFolder } from './receiver.js';
import { receiversClosedAfterEach, replayInChild, spoolConfig, spoolFile } from './spool-fixture.js';

// The lock file beside a spool file names its owner's pid. One that lost its pid (a kill
// between create and write, a power cut before the data reached the disk) must not hold
// the spool's records for ever.

const receiver = receiversClosedAfterEach();

const RECORDS = '{"level":30,"time":1,"i":1}\n{"level":30,"time":1,"i":2}\n{"level":30,"time":1,"i":3}\n';

describe('a spool lock without a pid', () => {
  it('left empty an hour ago: the next start adopts the spool and replays its records', async () => {
    const live = await receiver('ok');
    const dir = tempFolder('spool-lock-empty');
    const file = spoolFile(dir, live.url);
    writeFileSync(file, RECORDS);
    writeFileSync(`${file}.lock`, '');
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(`${file}.lock`, hourAgo, hourAgo);
    const { child, stats } = await replayInChild(live.url, dir, 3);
    expect(child.stderr).toBe('');
    expect(stats.targets[0]!.replayed).toBe(3);
    expect(live.received).toEqual([1, 2, 3]);
  }, 30_000);

  it('just made (its owner is writing its pid): left to that owner, its records untouched', async () => {
    const live = await receiver('ok');
    const dir = tempFolder('spool-lock-fresh');
    const file = spoolFile(dir, live.url);
    writeFileSync(file, RECORDS);
    writeFileSync(`${file}.lock`, '');
    const child = await runChild(
      `const log = createLogger(${spoolConfig(live.url, dir)});
       await new Promise((r) => setTimeout(r, 500));
       await log.close();`,
    );
    expect(child.stderr).toBe('');
    expect(live.received).toEqual([]);
    expect(lineCount(file)).toBe(3);
  }, 30_000);
});
