import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../../../src/index.js';
import { spoolConfig, spoolFile } from './spool-fixture.js';

// An http spool file is named after its destination (preset and url). When the url or the
// preset changes, the old file stays in the folder and no logger of the new config reads it:
// its records were lost without a word. Now the logger says so when it starts.

const URL_A = 'http://127.0.0.1:9/a';
const URL_B = 'http://127.0.0.1:9/b';
const LINES = '{"level":30,"time":1,"msg":"parked one"}\n{"level":30,"time":2,"msg":"parked two"}\n';

/** A logger for `url`, once it has looked for strays (the turn after it is made: every target holds its spool). */
async function startWith(url: string, dir: string): Promise<{ log: Logger; diagnostics: string[] }> {
  const diagnostics: string[] = [];
  const log = createLogger(JSON.parse(spoolConfig(url, dir)), { diagnostics: (m) => diagnostics.push(m) });
  await new Promise((resolve) => setImmediate(resolve));
  return { log, diagnostics };
}

const strayNotes = (diagnostics: string[]) => diagnostics.filter((d) => d.includes('for another destination'));

describe('a spool file another destination left behind', () => {
  it('is named in a diagnostic at the start, with its unsent bytes and what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-stray-'));
    const stray = spoolFile(dir, URL_A);
    writeFileSync(stray, LINES);
    const { log, diagnostics } = await startWith(URL_B, dir);
    expect(strayNotes(diagnostics)).toEqual([
      expect.stringContaining(`spool ${stray} holds ${Buffer.byteLength(LINES)} bytes of records`),
    ]);
    expect(strayNotes(diagnostics)[0]).toContain('streamlog ship');
    await log.close({ timeoutMs: 100 });
    expect(readFileSync(stray, 'utf8')).toBe(LINES);
  });

  it('counts only what is after its committed offset, and says nothing of one fully sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-stray-offset-'));
    const partly = spoolFile(dir, URL_A);
    writeFileSync(partly, LINES);
    writeFileSync(`${partly}.offset`, String(LINES.indexOf('\n') + 1));
    const sent = spoolFile(dir, URL_A, 'loki');
    writeFileSync(sent, LINES);
    writeFileSync(`${sent}.offset`, String(Buffer.byteLength(LINES)));
    const { log, diagnostics } = await startWith(URL_B, dir);
    const second = Buffer.byteLength(LINES) - (LINES.indexOf('\n') + 1);
    expect(strayNotes(diagnostics)).toEqual([expect.stringContaining(`spool ${partly} holds ${second} bytes`)]);
    await log.close({ timeoutMs: 100 });
  });

  it('says nothing of its own file, of one a live logger holds, or of files of another family', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-stray-quiet-'));
    writeFileSync(spoolFile(dir, URL_A), LINES);
    writeFileSync(join(dir, 'spool', 'file_0.ndjson'), LINES);
    // Its own (adopted and replayed), and held by this live logger from now on.
    const a = await startWith(URL_A, dir);
    expect(strayNotes(a.diagnostics)).toEqual([]);
    const b = await startWith(URL_B, dir);
    expect(strayNotes(b.diagnostics)).toEqual([]);
    await b.log.close({ timeoutMs: 100 });
    await a.log.close({ timeoutMs: 100 });
  });
});
