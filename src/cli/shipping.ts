import type { Logger } from '../index.js';
import { type ForwardOptions, forward, openLogger, type Outcome } from './forward.js';
import type { Writable } from 'node:stream';
import type { LineCount } from './line-count.js';
import { failureLine, summaryTable, undelivered } from './summary.js';
import { EXIT, UsageError } from './usage.js';

export const SHIP_OPTIONS_HELP = [
  '  -c, --config <file>     the config (default: $STREAMLOG_CONFIG, then ./streamlog.json)',
  '  --signal-timeout <ms>   after SIGTERM/SIGINT, how long delivery of what was read may take (default 10000);',
  '                          for pipe after a Ctrl-C, also how long it reads on until its input ends',
].join('\n');

export const SHIP_OPTIONS = {
  config: { type: 'string', short: 'c' },
  'signal-timeout': { type: 'string' },
} as const;

export function forwardOptions(config: string | undefined, signalTimeout: string | undefined): ForwardOptions {
  const ms = signalTimeout === undefined ? 10_000 : Number(signalTimeout);
  if (!/^\d+$/.test(signalTimeout ?? '0') || !Number.isSafeInteger(ms)) {
    throw new UsageError(`--signal-timeout must be a number of milliseconds (got "${signalTimeout}")`);
  }
  return { config, signalTimeoutMs: ms };
}

/**
 * A pipe or ship run from start to exit code: the logger from the config (a ConfigError
 * propagates: exit 2), the feed, the summary table when asked, the one line on failure.
 */
export async function shipThrough(
  options: ForwardOptions,
  feed: (sink: Writable, signal: AbortSignal, log: Logger, count: LineCount) => Promise<void>,
  report: { table: boolean; onRead?: () => void },
): Promise<number> {
  const log = openLogger(options.config);
  const outcome: Outcome = await forward(log, (sink, signal, count) => feed(sink, signal, log, count), options);
  report.onRead?.();
  if (report.table) process.stderr.write(summaryTable(outcome));
  if (outcome.readError) process.stderr.write(`streamlog: reading stopped: ${outcome.readError.message}\n`);
  if (undelivered(outcome) > 0) {
    process.stderr.write(failureLine(outcome));
    return EXIT.failed;
  }
  return outcome.readError ? EXIT.failed : EXIT.ok;
}
