import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CountingReceiver, countingReceiver, tempFolder } from '../transports/http/receiver.js';
import { producerLines, streamlog } from './run.js';

let receiver: CountingReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

// `streamlog ship spool/http-….ndjson` is what an operator types to send a spool by hand.
// The run's logger sends that spool itself (it adopts it, or a live service still holds it):
// shipped as input too, every record of it reached the destination twice.
describe('streamlog ship given a spool file', () => {
  it('left by a run that ended: every record arrives once, and the run says why the file was not read', async () => {
    receiver = await countingReceiver('down');
    const dir = tempFolder('cli-ship-spool-file');
    const config = join(dir, 'streamlog.json');
    const http = {
      type: 'http',
      url: receiver.url,
      spool: { dir: join(dir, 'spool') },
      batch: { maxRecords: 100, intervalMs: 20 },
      retry: { baseMs: 20, maxMs: 50, maxAttempts: 2 },
    };
    writeFileSync(config, JSON.stringify({ transports: [http] }));
    const first = await streamlog(['pipe', '-c', config, '--spool-wait', '0'], { input: producerLines(500) });
    expect(first.code).toBe(1);
    const spoolFile = join(dir, 'spool', readdirSync(join(dir, 'spool')).find((f) => f.endsWith('.ndjson'))!);
    receiver.mode = 'ok';
    const shipped = await streamlog(['ship', '-c', config, '-q', '--spool-wait', '300', spoolFile]);
    const counts = new Map<number, number>();
    for (const i of receiver.received) counts.set(i, (counts.get(i) ?? 0) + 1);
    expect([...counts.values()].filter((n) => n > 1)).toEqual([]);
    // The spool itself was still sent, by the run's logger, which adopted it.
    expect(counts.size).toBe(500);
    expect(shipped.code).toBe(1);
    expect(shipped.stderr).toContain(`${spoolFile} is a logger's spool file`);
  });
});
