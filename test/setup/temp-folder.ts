import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// One temp folder for the whole run, removed when it ends: what the tests, the processes they
// start and the servers of the other global setups make under the temp folder (TMPDIR, which
// os.tmpdir() reads) goes in it. A test that leaves its folder behind (a child killed before
// its cleanup, an assertion that fails first) no longer fills the disk run after run: the
// folders of a few hundred runs had taken tens of gigabytes on a developer's machine.
// Listed first in vitest.config.ts, so the servers' folders are inside it too.

export default function useRunTempFolder(): () => void {
  const previous = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-test-run-'));
  // As /tmp is: tests run children as another user (permissions, sticky folders), who must reach it.
  chmodSync(dir, 0o1777);
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(dir, { recursive: true, force: true });
  };
}
