import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { median, pairedRounds, printTimed, ratioText, roundsAndCount } from './paired-rounds.mjs';

const paths = ['req.headers.authorization', 'password', 'user.card'];
const record = {
  req: { method: 'GET', url: '/orders', headers: { host: 'api.example', authorization: 'Bearer abc.def' } },
  user: { id: 1234, card: '4111 1111 1111 1111' },
  password: 'hunter2',
};

/** name → (path) => { log, done }: a logger writing `path`, and how to wait until it is written. */
const contenders = {
  async streamlog(path) {
    const { createLogger } = await import('../dist/esm/index.js');
    const log = createLogger({ exitFlush: false, redact: paths, transports: [{ type: 'file', path }] });
    return { log, done: () => log.close() };
  },
  async 'pino (sync)'(path) {
    const { default: pino } = await import('pino');
    const dest = pino.destination({ dest: path, sync: true });
    return { log: pino({ redact: paths }, dest), done: async () => dest.flushSync() };
  },
  async 'pino (async)'(path) {
    const { default: pino } = await import('pino');
    const dest = pino.destination({ dest: path, sync: false, minLength: 4096 });
    await new Promise((resolve) => dest.once('ready', resolve));
    return { log: pino({ redact: paths }, dest), done: async () => dest.flushSync() };
  },
};

const [role, name, path, countText] = process.argv.slice(2);
if (role === 'worker') {
  const count = Number(countText);
  const { log, done } = await contenders[name](path);
  for (let i = 0; i < 2000; i++) log.info(record, 'warm-up');
  await printTimed(async () => {
    for (let i = 0; i < count; i++) log.info(record, 'request handled');
    await done();
  });
} else {
  const { rounds, count } = roundsAndCount(process.argv.slice(2), { rounds: 7, count: 300_000 });
  const names = Object.keys(contenders);
  const load = loadavg()[0];
  const results = pairedRounds(fileURLToPath(import.meta.url), names, count, rounds);
  /** streamlog ÷ the faster pino of each round. */
  const ratio = (key) => {
    const r = results.streamlog.map(
      (m, i) => m[key] / Math.min(results['pino (sync)'][i][key], results['pino (async)'][i][key]),
    );
    return ratioText(r);
  };
  process.stdout.write(
    `\n### ${count.toLocaleString('en')} records with ${paths.length} redaction paths to a file ` +
      `(${rounds} paired rounds, load ${load.toFixed(1)} → ${loadavg()[0].toFixed(1)})\n\n` +
      '| contender | wall ms | CPU ms |\n|---|---:|---:|\n',
  );
  for (const n of names) {
    const wall = median(results[n].map((m) => m.ns)) / 1e6;
    const cpu = median(results[n].map((m) => m.cpuUs)) / 1e3;
    process.stdout.write(`| ${n} | ${wall.toFixed(0)} | ${cpu.toFixed(0)} |\n`);
  }
  process.stdout.write(`\nstreamlog ÷ best pino, paired: wall ${ratio('ns')}, CPU ${ratio('cpuUs')}\n`);
}
