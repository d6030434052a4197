import { Writable } from 'node:stream';
import pino from 'pino';
import { createLogger, type Logger, type LoggerOptions } from '../../src/index.js';
import { Collector } from '../helpers.js';

export type Line = Record<string, unknown>;

/** Both loggers, called the same way (their method types differ only in overloads). */
export type Calls = Record<string, (...args: unknown[]) => void>;

/**
 * pino and streamlog built from the same options (no time, no base unless given), each
 * writing to memory; once `ours` is flushed, `lines()` gives both sides' lines parsed and
 * `text()` both as written (line ends included).
 */
export function sideBySide(options: Record<string, unknown> = {}): {
  ours: Logger;
  theirs: pino.Logger;
  calls: [Calls, Calls];
  lines: () => Promise<[Line[], Line[]]>;
  text: () => Promise<[string, string]>;
} {
  const out = new Collector();
  const common = { base: null, timestamp: false, ...options };
  const ours = createLogger({ exitFlush: false, ...(common as LoggerOptions), transports: [out] });
  let written = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      written += chunk.toString();
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
      const pinoLines = written.split('\n').filter(Boolean);
      return [out.json(), pinoLines.map((l) => JSON.parse(l) as Line)];
    },
    text: async () => {
      await ours.flush();
      return [out.text, written];
    },
  };
}
