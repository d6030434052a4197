import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RotationPlan } from '../../../src/transports/file/rotation.js';

function folderWith(names: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-rotated-matching-'));
  for (const name of names) writeFileSync(join(dir, name), 'x\n');
  return dir;
}

describe('which files in the folder are rotated files of a path', () => {
  it('only <stem>.<N>.rotated<ext>, plain or gzipped once, regular files; a file both ways counts once', () => {
    const dir = folderWith([
      'app.log',
      'app.1.rotated.log',
      'app.2.rotated.log.gz',
      'app.3.rotated.log',
      'app.3.rotated.log.gz',
      'app.4.rotated.log.gz.gz',
      'app.x.rotated.log',
      'app..rotated.log',
      'app.5.rotated.txt',
      'app.-6.rotated.log',
      'server.8080.log',
      'apps.7.rotated.log',
    ]);
    mkdirSync(join(dir, 'app.8.rotated.log'));
    const files = new RotationPlan(join(dir, 'app.log'), { size: 1024 }).list();
    expect(files.map((f) => [f.sequence, f.compressed])).toEqual([
      [1, false],
      [2, true],
      [3, false],
    ]);
  });

  it('a path whose extension is .gz: its rotated files are told from their compressed copies', () => {
    const dir = folderWith(['app.gz', 'app.1.rotated.gz', 'app.2.rotated.gz.gz']);
    const files = new RotationPlan(join(dir, 'app.gz'), { size: 1024 }).list();
    expect(files.map((f) => [f.sequence, f.compressed])).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  it('a name of 70,000 characters lists nothing and throws nothing', () => {
    // A pattern made of such a name was too large for V8: its SyntaxError, thrown while the
    // folder was listed after the open was retried, ended the process (found by a config sweep).
    const dir = folderWith(['other.log']);
    const plan = new RotationPlan(join(dir, `${'x'.repeat(70_000)}.log`), { size: 1024 });
    expect(plan.list()).toEqual([]);
  });
});
