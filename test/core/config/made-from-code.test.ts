import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, FileTransport, HttpTransport } from '../../../src/index.js';

// Transports built in code are not checked by a config schema: what a JavaScript caller gets
// wrong must be said at construction, not by a transport that silently misbehaves later.

const dir = mkdtempSync(join(tmpdir(), 'streamlog-made-from-code-'));

describe('a file transport built in code', () => {
  it.each([
    // Before: a size as text never rotated; a size of 10 bytes rotated at every record.
    [{ size: '1KB' }, /^rotate\.size: expected a number of bytes, at least 1024 \(got "1KB"; "64KB" is a config/],
    [{ size: 10 }, /^rotate\.size: expected a number of bytes, at least 1024 \(got 10/],
    [{ interval: 1000 }, /^rotate\.interval: expected milliseconds, at least 60000 \(got 1000\)/],
    [{ size: 4096, maxFiles: 0 }, /^rotate\.maxFiles: expected a whole number, at least 1 \(got 0\)/],
    [{ maxFiles: 3 }, /^rotate: expected "size" and\/or "interval"/],
  ])('refuses rotate %o with a TypeError saying what it expected', (rotate, message) => {
    const path = join(dir, 'refused.log');
    expect(() => new FileTransport({ path, rotate: rotate as never })).toThrow(message);
  });

  it('takes rotation options a config entry would give', async () => {
    const transport = new FileTransport({ path: join(dir, 'taken.log'), rotate: { size: 1024, maxFiles: 2 } });
    await transport.close();
  });
});

describe('an http transport built in code', () => {
  it("refuses a preset's name, saying where a name goes", () => {
    // Before: constructed, then every record failed with "the preset threw: preset.body is not a function".
    expect(() => new HttpTransport({ url: 'http://127.0.0.1:9/', preset: 'loki' as never })).toThrow(
      /^http transport: preset: expected a preset object with body\(\), not a name: .*preset: "loki"/,
    );
  });
});

describe("a transport's level", () => {
  it("is the entry's level for a transport a config entry made, as for one made with a level", async () => {
    const log = createLogger({ exitFlush: false, transports: [{ type: 'memory', level: 'warn' }, { type: 'memory' }] });
    // Before: undefined (the router applied the level; the transport did not say it).
    expect(log.transports.map((t) => t.level)).toEqual(['warn', undefined]);
    await log.close();
  });
});
