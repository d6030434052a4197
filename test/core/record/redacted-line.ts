import { expect } from 'vitest';
import type { Logger, LoggerOptions } from '../../../src/index.js';
import { memoryLogger } from '../../helpers.js';

/** Logs with `redact`, and returns the one line written, parsed: it must never hold `secret`. */
export async function redactedLine(
  secret: string,
  redact: LoggerOptions['redact'],
  call: (log: Logger) => void,
  options: LoggerOptions = {},
  // biome-ignore lint/suspicious/noExplicitAny: a parsed line, read field by field by the assertions
): Promise<Record<string, any>> {
  const { log, memory } = memoryLogger({ ...options, redact });
  call(log);
  await log.flush();
  const lines = memory.lines();
  expect(lines).toHaveLength(1);
  expect(lines[0]).not.toContain(secret);
  return JSON.parse(lines[0]!);
}
