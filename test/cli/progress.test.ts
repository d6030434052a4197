import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../transports/http/receiver.js';
import { CLI, producerLines } from './run.js';

// `script` runs the command on a pseudo-terminal, as a user at a terminal would.
const hasScript = existsSync('/usr/bin/script');

describe('streamlog ship on a terminal', () => {
  it.skipIf(!hasScript)('draws a progress bar in place: bytes of total, records/s, ETA', () => {
    const dir = tempFolder('cli-tty');
    writeFileSync(join(dir, 'streamlog.json'), JSON.stringify({ transports: [{ type: 'file', path: 'out.log' }] }));
    writeFileSync(join(dir, 'app.log'), producerLines(20_000));
    const command = `${process.execPath} ${CLI} ship -c streamlog.json app.log`;
    const result = spawnSync('/usr/bin/script', ['-qec', command, '/dev/null'], { cwd: dir, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /\r\[#{24}\] 100% [\d.]+ MB of [\d.]+ MB {2}20000 records {2}\d+ records\/s {2}ETA 0:00/,
    );
    expect(result.stdout).not.toMatch(/^ship: /m);
    expect(result.stdout).toMatch(/file#0\s+file\s+20000\s+0\s+0\s+-/);
  });
});
