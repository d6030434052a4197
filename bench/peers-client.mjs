// One client of bench/peers.mjs: logs `count` records, `perTick` every 10 ms, through the
// library named on the command line to the receiver at `base`, then closes its logger so
// that whatever it still holds is sent, and exits. Writes to stdout one line when the first
// record is logged (`start`), one when the last is (`logged <ms spent inside log calls>`),
// and, after the close, `done <the process's user + system CPU ms, worker threads included>`.
import { createLogger } from '../dist/esm/index.js';

const [library, base, countArg, perTickArg] = process.argv.slice(2);
const count = Number(countArg);
const perTick = Number(perTickArg);
const TICK_MS = 10;

/** A logging function and the close that waits until the library has sent what it holds. */
async function open() {
  if (library.startsWith('pino')) {
    const { pino } = await import('pino');
    // Each transport with its defaults; only where to send is given (for the OTel one the
    // endpoint comes from OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, set by the parent, as a user would).
    const target =
      library === 'pino-loki'
        ? { target: 'pino-loki', options: { host: base } }
        : { target: 'pino-opentelemetry-transport', options: {} };
    const transport = pino.transport(target);
    const logger = pino({ name: 'bench' }, transport);
    await new Promise((resolve) => transport.once('ready', resolve));
    return {
      log: (fields, msg) => logger.info(fields, msg),
      // As pino does at exit: keep the worker referenced until it has closed its transport.
      close: () =>
        new Promise((resolve) => {
          transport.ref();
          transport.once('close', resolve);
          transport.end();
        }),
    };
  }
  const preset = library === 'streamlog-loki' ? 'loki' : 'otlp';
  const path = preset === 'loki' ? '/loki/api/v1/push' : '/v1/logs';
  const log = createLogger({
    name: 'bench',
    exitFlush: false,
    transports: [{ type: 'http', preset, url: base + path }],
  });
  return { log: (fields, msg) => log.info(fields, msg), close: () => log.close() };
}

const { log, close } = await open();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
process.stdout.write('start\n');
const began = performance.now();
let inCalls = 0;
for (let seq = 0; seq < count; ) {
  // Paced against the start, so a slow tick does not slow the whole run down.
  const due = began + (seq / perTick) * TICK_MS;
  const now = performance.now();
  if (due > now) await sleep(due - now);
  for (let i = 0; i < perTick && seq < count; i++, seq++) {
    const t = performance.now();
    log({ seq, userId: 7, route: '/orders' }, 'shipped');
    inCalls += performance.now() - t;
  }
}
process.stdout.write(`logged ${inCalls}\n`);
await close();
const usage = process.resourceUsage();
process.stdout.write(`done ${(usage.userCPUTime + usage.systemCPUTime) / 1000}\n`);
