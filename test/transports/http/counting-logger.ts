import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type LogRecord, type Logger } from '../../../src/index.js';

/** One entry of the dead letter: the record as its line held it, and why each target failed it. */
export interface DeadEntry {
  record: Record<string, unknown>;
  reasons: { target: string; error: string }[];
}

export interface CountingLogger {
  log: Logger;
  /** The dead letter file's path. */
  deadLetter: string;
  /** The dead letter's entries, one per failed record ([] when there is no dead letter yet). */
  dead(): DeadEntry[];
}

/**
 * A logger with one http target where every record's fate can be counted: a dead letter in
 * a fresh temp folder, a circuit that never opens (failures go on being tried and counted),
 * and no pid or hostname in the lines.
 */
export function countingLogger(name: string, transport: Record<string, unknown>): CountingLogger {
  const deadLetter = join(mkdtempSync(join(tmpdir(), `streamlog-${name}-`)), 'dead.ndjson');
  const log = createLogger({
    exitFlush: false,
    base: null,
    router: { deadLetter, health: { failureThreshold: 1_000_000 } },
    transports: [{ type: 'http', ...transport } as never],
  });
  const dead = () => {
    let text = '';
    try {
      text = readFileSync(deadLetter, 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as DeadEntry);
  };
  return { log, deadLetter, dead };
}

/**
 * A logger with one http target whose circuit never opens and lines without pid or
 * hostname, and the distinct reasons its records failed with (`itemFailed`), in order.
 */
export function reasonsLogger(transport: Record<string, unknown>): { log: Logger; reasons: Set<string> } {
  const log = createLogger({
    exitFlush: false,
    base: null,
    router: { health: { failureThreshold: 1_000_000 } },
    transports: [{ type: 'http', ...transport } as never],
  });
  const reasons = new Set<string>();
  log.transports[0]!.on('itemFailed', (_record: LogRecord, reason: Error) => reasons.add(reason.message));
  return { log, reasons };
}
