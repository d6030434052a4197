import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { LoggerStats } from '../../../src/index.js';
import { type ChildResult, type CountingReceiver, countingReceiver, lastJson, runChild } from './receiver.js';

// For tests of the http spool across processes: where a destination's spool file is, and a
// child that starts with it and replays what it holds.

/** The spool file the http transport uses for `preset` and `url` in `<dir>/spool` (made). */
export function spoolFile(dir: string, url: string, preset = 'ndjson'): string {
  const name = createHash('sha256').update(`${preset} ${url}`).digest('hex').slice(0, 16);
  mkdirSync(join(dir, 'spool'), { recursive: true });
  return join(dir, 'spool', `http-${name}.ndjson`);
}

/** A logger config with one http target (spooling unless `spool` is false) and a dead letter, as JSON for a child. */
export function spoolConfig(url: string, dir: string, extra: Record<string, unknown> = {}, spool = true): string {
  return JSON.stringify({
    base: null,
    exitTimeoutMs: 2000,
    router: { deadLetter: join(dir, 'dead.ndjson'), health: { failureThreshold: 1_000_000 } },
    transports: [
      {
        type: 'http',
        url,
        ...(spool ? { spool: { dir: join(dir, 'spool') } } : {}),
        batch: { intervalMs: 20 },
        retry: { baseMs: 20, maxMs: 100 },
        ...extra,
      },
    ],
  });
}

export type TargetCounts = LoggerStats & {
  targets: { replayed: number; replayFailed: number; spoolDropped: number; spooledForLater: number }[];
};

/** A child that starts on `dir`'s spool and waits until `expected` lines are replayed or refused (or 10 s). */
export async function replayInChild(
  url: string,
  dir: string,
  expected: number,
  extra: Record<string, unknown> = {},
): Promise<{ child: ChildResult; stats: TargetCounts }> {
  const child = await runChild(
    `const log = createLogger(${spoolConfig(url, dir, extra)});
     const deadline = Date.now() + 10000;
     const done = () => log.stats().targets[0].replayed + log.stats().targets[0].replayFailed >= ${expected};
     while (Date.now() < deadline && !done()) await new Promise((r) => setTimeout(r, 20));
     await log.close();
     writeSync(1, JSON.stringify(log.stats()) + '\\n');`,
  );
  return { child, stats: child.code === 0 ? lastJson<TargetCounts>(child.stdout) : ({} as TargetCounts) };
}

/** Receivers closed after each test of the file. */
export function receiversClosedAfterEach(): (
  mode: 'ok' | 'down' | 'stall',
  port?: number,
) => Promise<CountingReceiver> {
  const open: CountingReceiver[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((r) => r.close()));
  });
  return async (mode, port) => {
    const r = await countingReceiver(mode, port);
    open.push(r);
    return r;
  };
}
