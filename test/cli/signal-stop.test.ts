import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { type CountingReceiver, countingReceiver, tempFolder } from '../transports/http/receiver.js';
import { producerLines, streamlog } from './run.js';

let receiver: CountingReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('a signal while a blocking target holds the input back', () => {
  // SIGHUP: the terminal or ssh session that ran it closed. It ended the run at once (exit 129), failing what was held.
  it.each(['SIGTERM', 'SIGHUP'] as const)(
    '%s ends the run within --signal-timeout, and the summary counts add up to what was read',
    async (name) => {
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
            child.kill(name);
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
    },
  );
});

describe('Ctrl-C on `app | streamlog pipe`: the program logs its shutdown after it', () => {
  function fileIndexes(path: string): number[] {
    if (!existsSync(path)) return [];
    const text = readFileSync(path, 'utf8');
    // Polled while the file is written: a line not yet ended is not read.
    return text
      .slice(0, text.lastIndexOf('\n') + 1)
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { i: number }).i);
  }

  /**
   * `pipe` to a file with 100 lines on an open stdin; once they are in the file, SIGINT, and
   * `afterSignal` plays the program's part (its shutdown lines, its output's end).
   */
  async function pipeInterrupted(name: string, args: string[], afterSignal: (stdin: Writable) => void) {
    const dir = tempFolder(name);
    const config = join(dir, 'streamlog.json');
    const out = join(dir, 'out.log');
    writeFileSync(config, JSON.stringify({ transports: [{ type: 'file', path: out }] }));
    let signalledAt = 0;
    const result = await streamlog(['pipe', '-c', config, ...args], {
      input: producerLines(100),
      keepOpen: true,
      timeoutMs: 20_000,
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (fileIndexes(out).length < 100) return;
          clearInterval(poll);
          child.kill('SIGINT');
          signalledAt = Date.now();
          if (child.stdin) afterSignal(child.stdin);
        }, 10);
      },
    });
    return { result, indexes: fileIndexes(out), signalledAt };
  }

  it('the lines written after the first SIGINT are read until the input ends, and delivered: exit 0', async () => {
    // The program's own shutdown: a few more lines, then its output ends.
    const run = await pipeInterrupted('cli-sigint-read-on', [], (stdin) =>
      setTimeout(() => stdin.end(producerLines(50, 100)), 200),
    );
    expect(run.signalledAt).toBeGreaterThan(0);
    expect(run.result.code).toBe(0);
    expect(run.indexes).toEqual(Array.from({ length: 150 }, (_, i) => i));
  });

  it('an input that does not end is read for --signal-timeout at most, then what was read is delivered', async () => {
    const run = await pipeInterrupted('cli-sigint-bounded', ['--signal-timeout', '300'], (stdin) =>
      setTimeout(() => stdin.write(producerLines(10, 100)), 50),
    );
    const endedAfter = Date.now() - run.signalledAt;
    expect(run.result.code).toBe(0);
    // The lines written while it read on are delivered too; it ended without the input's end.
    expect(run.indexes).toEqual(Array.from({ length: 110 }, (_, i) => i));
    expect(endedAfter).toBeLessThan(10_000);
  });
});
