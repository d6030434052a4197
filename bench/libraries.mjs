// How each library is set up to write NDJSON to a path, and how we wait until it is written.
import { closeSync, createWriteStream, openSync } from 'node:fs';
import { once } from 'node:events';
import pino from 'pino';
import winston from 'winston';
import { createLogger, StreamTransport } from '../dist/esm/index.js';

export const libraries = {
  async streamlog(path) {
    const fd = openSync(path, 'a');
    const stream = createWriteStream(path, { fd, autoClose: false });
    const log = createLogger({ level: 'info', exitFlush: false, transports: [new StreamTransport(stream, { fd })] });
    return {
      log,
      done: async () => {
        await log.flush();
        closeSync(fd);
      },
    };
  },
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
