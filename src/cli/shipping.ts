import type { Logger } from '../index.js';
import { type ForwardOptions, forward, openLogger, type Outcome } from './forward.js';
import type { Writable } from 'node:stream';
import type { LineCount } from './line-count.js';
import { failureLine, leftInSpools, lostFromSpools, summaryTable, undelivered } from './summary.js';
import { refuseOwnOutput } from './own-output.js';
import { shown } from './terminal.js';
import { EXIT, UsageError } from './usage.js';

export const SHIP_OPTIONS_HELP = [
  '  -c, --config <file>     the config (default: $STREAMLOG_CONFIG, then ./streamlog.json)',
  '  --signal-timeout <ms>   after SIGTERM/SIGINT/SIGHUP, how long delivery of what was read may take (default 10000);',
  '                          for pipe after a Ctrl-C, also how long it reads on until its input ends',
  '                          (at most 2147483647, about 24.8 days: the longest timer Node can set)',
  '  --spool-wait <ms>       once the input ends, how long a spool may go without progress before the run',
  '                          stops and leaves the rest for the next run (default 10000; 0: no wait)',
].join('\n');

export const SHIP_OPTIONS = {
  config: { type: 'string', short: 'c' },
  'signal-timeout': { type: 'string' },
  'spool-wait': { type: 'string' },
} as const;

export function forwardOptions(
  config: string | undefined,
  signalTimeout: string | undefined,
  spoolWait: string | undefined,
): ForwardOptions {
  return {
    config,
    signalTimeoutMs: milliseconds('--signal-timeout', signalTimeout, MAX_TIMER_MS),
    spoolWaitMs: milliseconds('--spool-wait', spoolWait),
  };
}

/**
 * The longest delay a Node timer takes (2^31 - 1 ms, about 24.8 days): a longer one fires after
 * 1 ms, so `--signal-timeout 3000000000` gave up at once (a Ctrl-C read none of the shutdown lines).
 */
const MAX_TIMER_MS = 2_147_483_647;

function milliseconds(option: string, value: string | undefined, max = Number.MAX_SAFE_INTEGER): number {
  const ms = value === undefined ? 10_000 : Number(value);
  if (!/^\d+$/.test(value ?? '0') || !Number.isSafeInteger(ms)) {
    throw new UsageError(`${option} must be a number of milliseconds (got "${value}")`);
  }
  if (ms > max) {
    throw new UsageError(`${option} must be at most ${max} ms, the longest timer Node can set (got ${value})`);
  }
  return ms;
}

/**
 * A pipe or ship run from start to exit code: the logger from the config (a ConfigError
 * propagates: exit 2), the feed, the summary table when asked, the one line on failure.
 */
export async function shipThrough(
  options: ForwardOptions,
  feed: (sink: Writable, signal: AbortSignal, log: Logger, count: LineCount) => Promise<void>,
  report: { table: boolean; onRead?: () => void },
  inputs: readonly (string | number)[],
): Promise<number> {
  const log = openLogger(options.config);
  try {
    refuseOwnOutput(log, inputs);
  } catch (error) {
    await log.close();
    throw error;
  }
  const outcome: Outcome = await forward(log, (sink, signal, count) => feed(sink, signal, log, count), options);
  report.onRead?.();
  if (report.table) process.stderr.write(summaryTable(outcome));
  if (outcome.readError) process.stderr.write(`streamlog: reading stopped: ${shown(outcome.readError)}\n`);
  if (undelivered(outcome) > 0 || leftInSpools(outcome) > 0 || lostFromSpools(outcome) > 0) {
    process.stderr.write(failureLine(outcome));
    return EXIT.failed;
  }
  return outcome.readError ? EXIT.failed : EXIT.ok;
}
