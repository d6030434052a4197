import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LoggerStats } from '../../../src/index.js';
import { lastJson, lineCount, PRINT_AT_EXIT, runChild, tempFolder } from '../../transports/http/receiver.js';
import { receiversClosedAfterEach } from '../../transports/http/spool-fixture.js';

const receiver = receiversClosedAfterEach();

describe('a script that returns while it replays the router spool an earlier process left', () => {
  it('waits for the replay to a live receiver: all 300 arrive, none dead-lettered or counted failed', async () => {
    const live = await receiver('ok');
    const dir = tempFolder('adopted-script-end');
    mkdirSync(join(dir, 'spool'));
    const lines = Array.from({ length: 300 }, (_, i) => `{"level":30,"time":1,"i":${i},"msg":"left"}\n`);
    writeFileSync(join(dir, 'spool', 'h.ndjson'), lines.join(''));
    const config = {
      base: null,
      diagnostics: false,
      router: { deadLetter: join(dir, 'dead.ndjson'), spool: { dir: join(dir, 'spool') } },
      transports: [{ id: 'h', type: 'http', url: live.url, batch: { maxRecords: 100 }, maxQueue: { maxRecords: 200 } }],
    };
    // Logs nothing and returns: only the replay keeps it alive.
    const child = await runChild(`const log = createLogger(${JSON.stringify(config)});\n${PRINT_AT_EXIT}`);
    expect(child.code).toBe(0);
    // Before, the process ended with the first request in flight: the receiver took its 100
    // records, which were failed and dead-lettered as "process exited before the records were sent".
    expect(live.distinct()).toBe(300);
    expect(lineCount(join(dir, 'dead.ndjson'))).toBe(0);
    expect(lastJson<LoggerStats>(child.stdout)).toMatchObject({ logged: 0, pending: 0, adoptedFailed: 0 });
  });
});
