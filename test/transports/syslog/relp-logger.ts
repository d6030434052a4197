import { join } from 'node:path';
import { expect } from 'vitest';
import { createLogger, type DeliveryFailure, type Logger } from '../../../src/index.js';
import { expectAddsUp, tempFolder } from '../http/receiver.js';

/** What a test file tears down after each test: the loggers, stats watches and folders made for it. */
export interface RelpTestState {
  loggers: Logger[];
  intervals: NodeJS.Timeout[];
  folders: string[];
}

/**
 * A logger with one relp target on 127.0.0.1 (short batches, fast retries, a dead letter):
 * its failures, diagnostics and dead letter, and whether its stats added up at every 5 ms check.
 */
export function relpLogger(state: RelpTestState, appName: string, port: number, extra: Record<string, unknown> = {}) {
  const dir = tempFolder(appName);
  state.folders.push(dir);
  const deadLetter = join(dir, 'dead.ndjson');
  const log = createLogger({
    exitFlush: false,
    base: null,
    router: { deadLetter, health: { failureThreshold: 1_000_000 } },
    transports: [
      {
        type: 'syslog',
        protocol: 'relp',
        port,
        appName,
        batch: { intervalMs: 10 },
        retry: { baseMs: 10, maxMs: 20, maxAttempts: 1000 },
        ...extra,
      },
    ],
  });
  state.loggers.push(log);
  const failures: DeliveryFailure[] = [];
  const diagnostics: string[] = [];
  log.on('deliveryFailed', (failure: DeliveryFailure) => failures.push(failure));
  log.on('diagnostic', (message: string) => diagnostics.push(message));
  const sums: string[] = [];
  state.intervals.push(
    setInterval(() => {
      const s = log.stats();
      if (s.delivered + s.failed + s.dropped + s.pending !== s.logged) sums.push(JSON.stringify(s));
    }, 5),
  );
  /** Stats added up at every check, and add up now. */
  const addedUp = () => {
    expect(sums).toEqual([]);
    expectAddsUp(log.stats());
  };
  const reasons = () => failures.flatMap((f) => f.reasons.map((r) => r.error.message));
  return { log, failures, reasons, diagnostics, deadLetter, addedUp };
}
