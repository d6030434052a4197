// Redaction: the same record with three redaction paths (a nested header, a top-level key,
// a key one level down), logged by streamlog (file target) and by pino (its redact option,
// pino.destination, sync and async), written to a file. Paired rounds, a fresh process
// each, contenders rotated; reports wall and CPU time of the loop and the flush, and the
// ratios to the best pino per round. The lines written are the same but for pid and time.
//   node bench/redact.mjs [--rounds 7] [--count 300000]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) log.info(record, 'request handled');
  await done();
  const ns = Number(process.hrtime.bigint() - start);
  const used = process.cpuUsage(cpu);
  process.stdout.write(`${JSON.stringify({ ns, cpuUs: used.user + used.system })}\n`);
} else {
  const argv = process.argv.slice(2);
  const args = Object.fromEntries(argv.flatMap((a, i) => (a.startsWith('--') ? [[a.slice(2), argv[i + 1]]] : [])));
  const rounds = Number(args.rounds ?? 7);
  const count = Number(args.count ?? 300_000);
  const names = Object.keys(contenders);
  const scratch = mkdtempSync(join(tmpdir(), 'streamlog-redact-'));
  const self = fileURLToPath(import.meta.url);
  const results = Object.fromEntries(names.map((n) => [n, []]));
  const load = loadavg()[0];
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const contender = names[(i + round) % names.length];
      const file = join(scratch, `${i}-${round}.log`);
      const out = execFileSync(process.execPath, [self, 'worker', contender, file, String(count)], {
        encoding: 'utf8',
      });
      results[contender][round] = JSON.parse(out);
      rmSync(file, { force: true });
    }
  }
  rmSync(scratch, { recursive: true, force: true });
  const median = (v) => {
    const s = [...v].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  /** streamlog ÷ the faster pino of each round. */
  const ratio = (key) => {
    const r = results.streamlog.map(
      (m, i) => m[key] / Math.min(results['pino (sync)'][i][key], results['pino (async)'][i][key]),
    );
    return `${median(r).toFixed(2)}x (${Math.min(...r).toFixed(2)}x–${Math.max(...r).toFixed(2)}x)`;
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
