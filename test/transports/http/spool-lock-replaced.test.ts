import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runChild, tempFolder } from './receiver.js';
import { receiversClosedAfterEach, spoolConfig, spoolFile } from './spool-fixture.js';

// The spool folder removed under a running logger, and the lock remade there by another
// (a second process that started meanwhile). The first one's close must leave that lock be,
// or a third logger could take the same spool file as the second, and both replay it.

const receiver = receiversClosedAfterEach();

describe('a spool lock remade by another logger after the folder was removed', () => {
  it('is left in place by the first logger at its close', async () => {
    const down = await receiver('down');
    const dir = tempFolder('spool-lock-replaced');
    const lock = `${spoolFile(dir, down.url)}.lock`;
    const go = join(dir, 'go');
    const child = await runChild(
      `const { existsSync } = await import('node:fs');
       const log = createLogger(${spoolConfig(down.url, dir)});
       log.info({ i: 1 }, 'holds the spool');
       writeSync(1, 'ready\\n');
       while (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 20));
       await log.close();`,
      {
        onStdout: (out) => {
          if (!out.includes('ready') || existsSync(go)) return;
          rmSync(join(dir, 'spool'), { recursive: true });
          spoolFile(dir, down.url);
          // A live owner: this test's own process.
          writeFileSync(lock, String(process.pid));
          writeFileSync(go, '');
        },
      },
    );
    expect(child.stderr).toBe('');
    expect(readFileSync(lock, 'utf8')).toBe(String(process.pid));
  }, 30_000);
});
