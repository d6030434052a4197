// How each library is set up to write NDJSON to a path, and how we wait until it is written.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import pino from 'pino';
import winston from 'winston';
import { createLogger } from '../dist/esm/index.js';

// What a service typically passes: a request id from its context, and one field renamed.
const pinoOptions = {
  mixin: () => ({ requestId: 'req-7' }),
  formatters: { log: (fields) => ('a' in fields ? Object.assign({}, fields, { alpha: fields.a }) : fields) },
};

export const libraries = {
  async streamlog(path) {
    const log = createLogger({ level: 'info', exitFlush: false, transports: [{ type: 'file', path }] });
    return { log, done: () => log.close() };
  },
  /** Fan-out: the same records to three files in three formats. */
  async 'streamlog fan-out'(path) {
    const targets =
      path === '/dev/null'
        ? ['/dev/null', '/dev/null', '/dev/null']
        : [`${path}.json`, `${path}.txt`, `${path}.stable.json`];
    const log = createLogger({
      level: 'info',
      exitFlush: false,
      transports: [
        { type: 'file', path: targets[0], format: 'json' },
        { type: 'file', path: targets[1], format: 'text' },
        { type: 'file', path: targets[2], format: 'stable-json' },
      ],
    });
    return { log, done: () => log.close() };
  },
  /** pino's mixin and formatters.log in use (`--mode pino-options`), against the same logger without them. */
  async 'streamlog mixin+log'(path) {
    const log = createLogger({ level: 'info', exitFlush: false, transports: [{ type: 'file', path }], ...pinoOptions });
    return { log, done: () => log.close() };
  },
  async 'pino mixin+log'(path) {
    const dest = pino.destination({ dest: path, sync: true });
    await once(dest, 'ready');
    const log = pino({ level: 'info', ...pinoOptions }, dest);
    return { log, done: async () => dest.flushSync() };
  },
  /**
   * Another build of streamlog beside this one (before and after a change, in the same
   * rounds): `STREAMLOG_BASELINE=/path/to/dist/esm/index.js npm run bench`.
   */
  ...(process.env.STREAMLOG_BASELINE
    ? {
        async 'streamlog (baseline)'(path) {
          const baseline = await import(process.env.STREAMLOG_BASELINE);
          const log = baseline.createLogger({ level: 'info', exitFlush: false, transports: [{ type: 'file', path }] });
          return { log, done: () => log.close() };
        },
      }
    : {}),
  async 'pino (sync)'(path) {
    const dest = pino.destination({ dest: path, sync: true });
    await once(dest, 'ready');
    const log = pino({ level: 'info' }, dest);
    return { log, done: async () => dest.flushSync() };
  },
  async 'pino (async)'(path) {
    const dest = pino.destination({ dest: path, sync: false });
    await once(dest, 'ready');
    const log = pino({ level: 'info' }, dest);
    return { log, done: async () => dest.flushSync() };
  },
  async winston(path) {
    if (path !== '/dev/null') {
      // winston's own File transport for files.
      const file = new winston.transports.File({ filename: path });
      const log = winston.createLogger({
        level: 'info',
        format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
        transports: [file],
      });
      // Ending winston while its File transport still has piped records queued throws
      // "write after end"; wait until it reports every record written, then end it.
      let logged = 0;
      file.on('logged', () => logged++);
      return {
        log,
        done: async (total) => {
          while (logged < total) await new Promise((resolve) => setTimeout(resolve, 1));
          const finished = once(file, 'finish');
          log.end();
          await finished;
        },
      };
    }
    const stream = createWriteStream(path, { flags: 'a' });
    await once(stream, 'open');
    const log = winston.createLogger({
      level: 'info',
      format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
      transports: [new winston.transports.Stream({ stream })],
    });
    return {
      log,
      done: async () => {
        const finished = once(stream, 'finish');
        log.end();
        await once(log, 'finish');
        stream.end();
        await finished;
      },
    };
  },
};
