import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../built.js';

// Found by a helper attacking worker threads: a file transport made in a worker with
// `reopenOnSighup` listened on the worker's process, which never hears a signal; the main thread
// had no listener, so logrotate's `kill -HUP` ended the whole service, with nothing said.

/** A logger with `reopenOnSighup` in a worker and one in the main thread; prints the diagnostics of each. */
const script = (dir: string) => `
  import { Worker, isMainThread, parentPort } from 'node:worker_threads';
  import { createLogger } from ${JSON.stringify(DIST_ESM)};
  async function make(name) {
    const said = [];
    const path = ${JSON.stringify(dir)} + '/' + name + '.log';
    const diagnostics = (message) => said.push(message);
    const log = createLogger({ diagnostics, transports: [{ type: 'file', path, reopenOnSighup: true }] });
    log.info('x');
    await log.close();
    return said;
  }
  if (isMainThread) {
    const worker = new Worker(new URL(import.meta.url));
    const inWorker = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    process.stdout.write(JSON.stringify({ inWorker, inMain: await make('main') }));
  } else parentPort.postMessage(await make('worker'));
`;

describe('reopenOnSighup in a worker thread', () => {
  it('is said to do nothing there; in the main thread nothing is said', () => {
    requireBuild();
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-worker-sighup-'));
    const file = join(dir, 'run.mjs');
    writeFileSync(file, script(dir));
    const result = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
    expect(result.status, result.stderr).toBe(0);
    const { inWorker, inMain } = JSON.parse(result.stdout) as { inWorker: string[]; inMain: string[] };
    expect(inWorker).toEqual([expect.stringContaining('reopenOnSighup does nothing in a worker thread')]);
    expect(inMain).toEqual([]);
  });
});
