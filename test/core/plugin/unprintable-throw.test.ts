import { describe, expect, it } from 'vitest';
import { DIST_ESM } from '../../built.js';
import { lastJson, runChild } from '../../transports/http/receiver.js';

// A plugin may throw or reject with any value, even one whose toString throws: turning it
// into an Error for the report must not throw in its turn (from a promise chain that would
// end the process). Real child processes, so such an end shows.

const UNPRINTABLE = '{ toString() { throw new Error("cannot print me"); } }';

async function childStats(transport: string): Promise<{ code: number | null; stats: number[] }> {
  const child = await runChild(
    `import { BatchTransport, Transport } from ${JSON.stringify(DIST_ESM)};
     const transport = ${transport};
     const log = createLogger({ exitFlush: false, transports: [transport] });
     for (let i = 0; i < 4; i++) log.info({ i }, 'record');
     await log.close({ timeoutMs: 2000 });
     const s = log.stats();
     writeSync(1, JSON.stringify([s.logged, s.delivered, s.failed, s.dropped, s.pending]) + '\\n');`,
  );
  return { code: child.code, stats: child.code === 0 ? lastJson(child.stdout) : [] };
}

describe('a plugin that throws a value whose toString throws', () => {
  it('a batch processor rejecting with it: the records fail, the process lives', async () => {
    const result = await childStats(
      `new BatchTransport(async () => { throw ${UNPRINTABLE}; },
         { batch: { maxRecords: 2 }, retry: { maxAttempts: 1 } })`,
    );
    expect(result.code).toBe(0);
    expect(result.stats).toEqual([4, 0, 4, 0, 0]);
  });

  it("a transport's handle() throwing it: the records fail, the process lives", async () => {
    const result = await childStats(
      `new (class extends Transport { type = 'throws'; handle() { throw ${UNPRINTABLE}; } })()`,
    );
    expect(result.code).toBe(0);
    expect(result.stats).toEqual([4, 0, 4, 0, 0]);
  });
});
