import { once } from 'node:events';
import { readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CountingReceiver,
  countingReceiver,
  readBody,
  spooledLines,
  tempFolder,
} from '../transports/http/receiver.js';
import { producerLines, streamlog } from './run.js';

/*
 * What a run of ship or pipe says, and keeps, of the records an earlier run parked in a spool
 * while the destination was down: found by a helper attacking the drain of the spools.
 */
let receivers: CountingReceiver[] = [];
afterEach(async () => {
  for (const receiver of receivers) await receiver.close();
  receivers = [];
});

async function receiver(): Promise<CountingReceiver> {
  const made = await countingReceiver('down');
  receivers.push(made);
  return made;
}

/** A config of http targets (one per url) spooling to `dir/spool`, batches of 100. */
function config(dir: string, urls: string[], spool: Record<string, unknown> = {}): string {
  const transports = urls.map((url, n) => ({
    type: 'http',
    id: `central${n}`,
    url,
    spool: { dir: join(dir, 'spool'), ...spool },
    batch: { maxRecords: 100, intervalMs: 20 },
    retry: { baseMs: 20, maxMs: 50, maxAttempts: 2 },
  }));
  const file = join(dir, 'streamlog.json');
  writeFileSync(file, JSON.stringify({ transports }));
  return file;
}

/** Lines with every `every`-th record marked poison (a receiver in 'poison' mode refuses it). */
function linesWithPoison(count: number, every: number): string {
  return producerLines(count)
    .split('\n')
    .filter(Boolean)
    .map((line, i) => (i % every === every - 1 ? line.replace('"msg"', '"poison":true,"msg"') : line))
    .join('\n')
    .concat('\n');
}

describe('a run after an outage, and the records an earlier run parked', () => {
  it('a destination that refuses every request (401): the spool is kept, not emptied; exit 1 says so', async () => {
    const central = await receiver();
    const dir = tempFolder('drain-401');
    const file = config(dir, [central.url]);
    expect((await streamlog(['pipe', '-c', file, '--spool-wait', '0'], { input: producerLines(500) })).code).toBe(1);
    central.mode = 'unauthorized';
    const refused = await streamlog(['ship', '-c', file, '-q', '--spool-wait', '300', '/dev/null']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('streamlog: 500 records an earlier run parked are still in a spool for the next run\n');
    expect(spooledLines(dir)).toBe(500);
    central.mode = 'ok';
    const shipped = await streamlog(['ship', '-c', file, '-q', '/dev/null']);
    expect(shipped.stderr).toBe('');
    expect(shipped.code).toBe(0);
    expect(central.distinct()).toBe(500);
  });

  it('a destination that refuses every record with a 400 (both halves alike): they fail, said, exit 1', async () => {
    // A 400 is about what was sent: records that every request refuses fail (dead-lettered
    // when there is a dead letter), as a batch of this run's would; and the run says so.
    const central = await receiver();
    const dir = tempFolder('drain-400');
    const file = config(dir, [central.url]);
    await streamlog(['pipe', '-c', file, '--spool-wait', '0'], { input: producerLines(500) });
    central.mode = 'refused';
    const refused = await streamlog(['ship', '-c', file, '-q', '--spool-wait', '300', '/dev/null']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('streamlog: 500 records an earlier run parked were refused by the destination\n');
    expect(spooledLines(dir)).toBe(0);
  });

  it('an Elasticsearch that refuses every item for its index (a read-only block): the spool is kept', async () => {
    let state: 'down' | 'blocked' | 'ok' = 'down';
    let indexed = 0;
    const elastic = createServer(async (req, res) => {
      const lines = (await readBody(req)).split('\n').filter(Boolean).length / 2;
      if (state === 'down') {
        res.writeHead(503);
        res.end();
        return;
      }
      const blocked = state === 'blocked';
      const error = { type: 'cluster_block_exception', reason: 'index [logs] blocked by: [FORBIDDEN/8/read-only]' };
      const item = blocked ? { create: { status: 403, error } } : { create: { status: 201 } };
      if (!blocked) indexed += lines;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: blocked, items: Array.from({ length: lines }, () => item) }));
    });
    elastic.listen(0, '127.0.0.1');
    await once(elastic, 'listening');
    const dir = tempFolder('drain-elastic');
    const url = `http://127.0.0.1:${(elastic.address() as { port: number }).port}`;
    const file = join(dir, 'streamlog.json');
    const entry = { type: 'http', preset: 'elasticsearch', url, index: 'logs', spool: { dir: join(dir, 'spool') } };
    const transports = [{ ...entry, batch: { maxRecords: 100, intervalMs: 20 }, retry: { baseMs: 20, maxMs: 50 } }];
    writeFileSync(file, JSON.stringify({ transports }));
    try {
      const first = await streamlog(['pipe', '-c', file, '--spool-wait', '300'], { input: producerLines(300) });
      expect(first.code).toBe(1);
      expect(spooledLines(dir)).toBe(300);
      state = 'blocked';
      const second = await streamlog(['ship', '-c', file, '-q', '--spool-wait', '300', '/dev/null']);
      expect(second.stderr).toBe(
        'streamlog: 300 records an earlier run parked are still in a spool for the next run\n',
      );
      expect(spooledLines(dir)).toBe(300);
      state = 'ok';
      const third = await streamlog(['ship', '-c', file, '-q', '/dev/null']);
      expect(third.stderr).toBe('');
      expect(indexed).toBe(300);
    } finally {
      elastic.close();
    }
  });

  it('records of the spool the destination refuses one by one: exit 1 and stderr name them', async () => {
    const central = await receiver();
    const dir = tempFolder('drain-poison');
    const file = config(dir, [central.url]);
    await streamlog(['pipe', '-c', file, '--spool-wait', '0'], { input: linesWithPoison(400, 100) });
    central.mode = 'poison';
    const result = await streamlog(['ship', '-c', file, '-q', '/dev/null']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('streamlog: 4 records an earlier run parked were refused by the destination\n');
    expect(central.distinct()).toBe(396);
  });

  it('lines of the spool pushed out by its maxBytes: exit 1 and stderr say how many', async () => {
    const central = await receiver();
    const dir = tempFolder('drain-bound');
    const file = config(dir, [central.url], { maxBytes: 40_000 });
    await streamlog(['pipe', '-c', file, '--spool-wait', '0'], { input: producerLines(300) });
    // Still down: this run's own 200 lines push the earlier run's oldest unread out of the bound.
    const result = await streamlog(['pipe', '-c', file, '--spool-wait', '0'], { input: producerLines(200, 300) });
    expect(result.code).toBe(1);
    const dropped = /streamlog: (\d+) records an earlier run parked were dropped for the spool's maxBytes\n/.exec(
      result.stderr,
    );
    expect(Number(dropped?.[1])).toBeGreaterThan(0);
  });

  it('two spooled targets and no earlier run: nothing is said of an earlier run, no spool named a stray', async () => {
    const [one, two] = [await receiver(), await receiver()];
    const dir = tempFolder('drain-two');
    const file = config(dir, [one.url, two.url]);
    const first = await streamlog(['pipe', '-c', file, '--spool-wait', '300'], { input: producerLines(300) });
    expect(first.code).toBe(1);
    expect(first.stderr).not.toContain('earlier run');
    expect(first.stderr).toContain('300 of 300 records not delivered');
    expect(readdirSync(join(dir, 'spool')).filter((f) => f.endsWith('.ndjson'))).toHaveLength(2);
    const second = await streamlog(['pipe', '-c', file, '--spool-wait', '300'], { input: '' });
    expect(second.stderr).not.toContain('another destination');
    expect(second.stderr).toBe('streamlog: 600 records an earlier run parked are still in a spool for the next run\n');
  });

  it('SIGTERM while the final close waits for a stalled destination: ends within --signal-timeout', async () => {
    const central = await receiver();
    const dir = tempFolder('drain-sigterm');
    const file = config(dir, [central.url]);
    await streamlog(['pipe', '-c', file, '--spool-wait', '0'], { input: producerLines(300) });
    central.mode = 'stall';
    let signalled = 0;
    const result = await streamlog(['pipe', '-c', file, '--spool-wait', '200', '--signal-timeout', '500'], {
      input: '',
      onSpawn: (child) => {
        setTimeout(() => {
          signalled = Date.now();
          child.kill('SIGTERM');
        }, 1500);
      },
    });
    expect(signalled).toBeGreaterThan(0);
    expect(Date.now() - signalled).toBeLessThan(3000);
    expect(result.code).toBe(1);
    expect(spooledLines(dir)).toBe(300);
  });
});
