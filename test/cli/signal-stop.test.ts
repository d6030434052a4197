import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CountingReceiver, countingReceiver, tempFolder } from '../transports/http/receiver.js';
import { producerLines, streamlog } from './run.js';

let receiver: CountingReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('a signal while a blocking target holds the input back', () => {
  it('SIGTERM ends the run within --signal-timeout, and the summary counts add up to what was read', async () => {
    receiver = await countingReceiver('stall');
    const dir = tempFolder('cli-signal-stall');
    const config = join(dir, 'streamlog.json');
    const central = { type: 'http', id: 'central', url: receiver.url, batch: { intervalMs: 20 }, timeoutMs: 600_000 };
    // Backpressure that would hold the input for ten minutes: only the signal can end the run.
    const router = { maxBackpressureMs: 600_000 };
    const patient = { router, exitTimeoutMs: 600_000 };
    writeFileSync(config, JSON.stringify({ ...patient, transports: [{ type: 'file', path: 'out.log' }, central] }));
    const state = receiver;
    const result = await streamlog(['pipe', '-c', config, '--summary', '--signal-timeout', '300'], {
      input: producerLines(50_000),
      keepOpen: true,
      timeoutMs: 20_000,
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (state.requests === 0) return;
          clearInterval(poll);
          child.kill('SIGTERM');
        }, 10);
      },
    });
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    const summary = /\n(\d+) records in .*: (\d+) delivered, (\d+) failed, (\d+) dropped(.*) under the/.exec(
      result.stderr,
    );
    expect(summary).not.toBeNull();
    const [read, delivered, failed, dropped] = summary!.slice(1, 5).map(Number) as [number, number, number, number];
    const pending = Number(/, (\d+) pending/.exec(summary![5]!)?.[1] ?? 0);
    const late = Number(/, (\d+) not taken before the stop/.exec(summary![5]!)?.[1] ?? 0);
    expect(read).toBeGreaterThan(0);
    expect(delivered + failed + dropped + pending + late).toBe(read);
  });
});
