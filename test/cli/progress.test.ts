import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, writeFileSync, writeSync } from 'node:fs';
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

describe('streamlog ship progress past the total', () => {
  it.skipIf(spawnSync('mkfifo', ['--version']).status !== 0)(
    'a FIFO (size unknown) read for a second: the bytes read, no share of a total, no ETA',
    async () => {
      const dir = tempFolder('cli-progress-fifo');
      writeFileSync(join(dir, 'streamlog.json'), JSON.stringify({ transports: [{ type: 'file', path: 'out.log' }] }));
      expect(spawnSync('mkfifo', [join(dir, 'app.fifo')]).status).toBe(0);
      const child = spawn(process.execPath, [CLI, 'ship', '-c', 'streamlog.json', 'app.fifo'], {
        cwd: dir,
        timeout: 20_000,
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      const fd = openSync(join(dir, 'app.fifo'), 'w');
      writeSync(fd, producerLines(10));
      await new Promise((resolve) => setTimeout(resolve, 1200));
      writeSync(fd, producerLines(10, 10));
      closeSync(fd);
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect(code).toBe(0);
      const last = stderr.split('\n').find((line) => line.startsWith('ship: '));
      // Before: "100% 2.1 KB of 0 B … ETA --:--", a total it did not know.
      expect(last).toMatch(/^ship: [\d.]+ KB read {2}20 records {2}\d+ records\/s$/);
    },
  );
});
