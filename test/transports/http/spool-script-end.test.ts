import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lineCount, runChild, tempFolder } from './receiver.js';
import { receiversClosedAfterEach, spoolConfig, spoolFile } from './spool-fixture.js';

// A script that starts on a spool an earlier process left and returns: the replay in flight
// is the only work left, and no count of this process's waits for it.

const receiver = receiversClosedAfterEach();

describe("a script that returns while its http target replays an earlier process's spool", () => {
  it('two such runs against a live receiver: each of the 500 lines arrives once', async () => {
    const live = await receiver('ok');
    const dir = tempFolder('spool-script-end');
    const lines = Array.from({ length: 500 }, (_, i) => `{"level":30,"time":1,"i":${i},"msg":"left"}`);
    writeFileSync(spoolFile(dir, live.url), `${lines.join('\n')}\n`);
    const script = `createLogger(${spoolConfig(live.url, dir, { batch: { maxRecords: 100 } })});`;
    for (let run = 0; run < 2; run++) expect((await runChild(script)).code).toBe(0);
    // Before, each run ended under its first replay's request: the receiver took those 100, the
    // read was never committed, and both runs sent the same 100 (200 received, 400 never sent).
    expect(live.received).toHaveLength(500);
    expect(live.distinct()).toBe(500);
    expect(lineCount(`${dir}/dead.ndjson`)).toBe(0);
  });
});
