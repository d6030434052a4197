import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../../built.js';
import { canMakeInit, signalInit } from '../../pid-namespace.js';

describe.skipIf(!canMakeInit)('node as pid 1 (a container that runs node directly)', () => {
  it('SIGTERM with no listener of the application ends the process (raised again, init would ignore it)', async () => {
    requireBuild();
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-pid1-'));
    const path = join(dir, 'out.log');
    const script = `
      import { createLogger } from ${JSON.stringify(DIST_ESM)};
      const log = createLogger({ transports: [{ type: 'file', path: ${JSON.stringify(path)} }] });
      log.info({ pid: process.pid }, 'started');
      setInterval(() => log.info('tick'), 20);
      process.stdout.write('ready\\n');
    `;
    const unshare = spawn(
      'unshare',
      ['--pid', '--fork', '--mount-proc', process.execPath, '--input-type=module', '-e', script],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await new Promise<void>((resolve) => unshare.stdout.once('data', () => resolve()));
    expect(await signalInit(unshare, ['SIGTERM'])).toBe(143);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0] as string)).toMatchObject({ pid: 1, msg: 'started' });
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  }, 20_000);
});
