// How each contender is set up to write NDJSON to a path, and how we wait until it is written.
// Each imports its library when set up, so a measurement's process loads only the library
// it measures (a static import of all of them made whichever came first look slower).
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { floorLogger } from './floor.mjs';

const streamlog = () => import('../dist/esm/index.js');
const pinoModule = async () => (await import('pino')).default;

// What a service typically passes: a request id from its context, and one field renamed.
const pinoOptions = {
  mixin: () => ({ requestId: 'req-7' }),
  formatters: { log: (fields) => ('a' in fields ? Object.assign({}, fields, { alpha: fields.a }) : fields) },
};

// pino's formatters benchmark (benchmarks/formatters.bench.js): all three formatters.
const pinoFormatters = {
  formatters: {
    level: (label) => ({ log: { level: label } }),
    bindings: (bindings) => ({ process: { pid: bindings.pid }, host: { name: bindings.hostname } }),
    log: (fields) => ({ foo: 'bar', ...fields }),
  },
};

/** The files of a multistream run: four, as pino's multistream benchmark (levels info, info, debug, trace). */
const MULTI_LEVELS = ['info', 'info', 'debug', 'trace'];
const multiPaths = (path) => MULTI_LEVELS.map((_, i) => (path === '/dev/null' ? path : `${path}.${i}`));

async function pinoWith(path, options, sync) {
  const pino = await pinoModule();
  const dest = pino.destination({ dest: path, sync });
  await once(dest, 'ready');
  const log = pino({ level: 'info', ...options }, dest);
  return { log, done: async () => dest.flushSync() };
}

async function streamlogWith(path, options = {}) {
  const { createLogger } = await streamlog();
  const log = createLogger({ level: 'info', exitFlush: false, transports: [{ type: 'file', path }], ...options });
  return { log, done: () => log.close() };
}

/** The same records to three files in three formats, through the given build of streamlog. */
function fanOut({ createLogger }, path) {
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
}

export const libraries = {
  streamlog: (path) => streamlogWith(path),
  /** The floor: a hand-written loop writing the same lines (bench/floor.mjs). */
  floor: async (path) => floorLogger(path),
  /** Fan-out: the same records to three files in three formats. */
  'streamlog fan-out': async (path) => fanOut(await streamlog(), path),
  /** pino's mixin and formatters.log in use (`--mode pino-options`), against the same logger without them. */
  'streamlog mixin+log': (path) => streamlogWith(path, pinoOptions),
  'pino mixin+log': (path) => pinoWith(path, pinoOptions, true),
  /** pino's formatters benchmark (`--mode formatters`). */
  'streamlog formatters': (path) => streamlogWith(path, pinoFormatters),
  'pino formatters': (path) => pinoWith(path, pinoFormatters, true),
  /** pino's multistream benchmark (`--mode multistream`): four destinations, at levels info, info, debug, trace. */
  async 'streamlog multistream'(path) {
    const { createLogger } = await streamlog();
    const transports = multiPaths(path).map((p, i) => ({ type: 'file', path: p, level: MULTI_LEVELS[i] }));
    const log = createLogger({ level: 'debug', exitFlush: false, transports });
    return { log, done: () => log.close() };
  },
  async 'pino multistream'(path) {
    const pino = await pinoModule();
    const dests = multiPaths(path).map((p) => pino.destination({ dest: p, sync: true }));
    await Promise.all(dests.map((d) => once(d, 'ready')));
    const streams = dests.map((stream, i) => ({ stream, level: MULTI_LEVELS[i] }));
    const log = pino({ level: 'debug' }, pino.multistream(streams));
    return {
      log,
      done: async () => {
        for (const d of dests) d.flushSync();
      },
    };
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
        'streamlog fan-out (baseline)': async (path) => fanOut(await import(process.env.STREAMLOG_BASELINE), path),
      }
    : {}),
  'pino (sync)': (path) => pinoWith(path, {}, true),
  'pino (async)': (path) => pinoWith(path, {}, false),
  async winston(path) {
    const winston = (await import('winston')).default;
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
