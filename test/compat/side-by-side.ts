import { Writable } from 'node:stream';
import pino from 'pino';
import { createLogger, type Logger, type LoggerOptions } from '../../src/index.js';
import { Collector } from '../helpers.js';

export type Line = Record<string, unknown>;

/** Both loggers, called the same way (their method types differ only in overloads). */
export type Calls = Record<string, (...args: unknown[]) => void>;

/**
 * pino and streamlog built from the same options (no time, no base unless given), each
 * writing to memory; `lines()` gives both sides' lines parsed, once `ours` is flushed.
 */
export function sideBySide(options: Record<string, unknown> = {}): {
  ours: Logger;
  theirs: pino.Logger;
  calls: [Calls, Calls];
  lines: () => Promise<[Line[], Line[]]>;
} {
  const out = new Collector();
  const common = { base: null, timestamp: false, ...options };
  const ours = createLogger({ exitFlush: false, ...(common as LoggerOptions), transports: [out] });
  const pinoLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      pinoLines.push(...chunk.toString().split('\n').filter(Boolean));
      callback();
    },
  });
  const theirs = pino(common as pino.LoggerOptions, sink);
  return {
    ours,
    theirs,
    calls: [ours as unknown as Calls, theirs as unknown as Calls],
    lines: async () => {
      await ours.flush();
      return [out.json(), pinoLines.map((l) => JSON.parse(l) as Line)];
    },
  };
}
