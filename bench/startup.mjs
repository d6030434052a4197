// Start-up cost, whole process: `node -e` that requires (or imports) a library, against the
// same for pino and bare Node, in paired rounds (contenders rotated, a fresh process each).
// "+ logger" also makes a logger writing one line to /dev/null. Ratios are per round, of wall
// time and of the process's CPU time (user + system, which other load on the machine moves less).
//   node bench/startup.mjs [--rounds 15]   (STREAMLOG_BASELINE=<dist/esm/index.js> adds that build)
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const args = Object.fromEntries(argv.flatMap((arg, i) => (arg.startsWith('--') ? [[arg.slice(2), argv[i + 1]]] : [])));
const rounds = Number(args.rounds ?? 15);
const esm = fileURLToPath(new URL('../dist/esm/index.js', import.meta.url));
const cjs = fileURLToPath(new URL('../dist/cjs/index.js', import.meta.url));
const pinoPath = fileURLToPath(import.meta.resolve('pino'));
const baseEsm = process.env.STREAMLOG_BASELINE;
const baseCjs = baseEsm?.replace('/esm/', '/cjs/');

const slLogger =
  "{ const l = m.createLogger({ exitFlush: false, transports: [{ type: 'file', path: '/dev/null' }] }); l.info('x'); l.close(); }";
const pinoLogger = "{ const p = m.default ?? m; p(p.destination('/dev/null')).info('x'); }";
const contenders = {
  'node (bare)': '0',
  'pino require': `const m = require(${JSON.stringify(pinoPath)})`,
  'pino import': `import(${JSON.stringify(pinoPath)})`,
  'streamlog require': `require(${JSON.stringify(cjs)})`,
  'streamlog import': `import(${JSON.stringify(esm)})`,
  'pino require + logger': `const m = require(${JSON.stringify(pinoPath)}); ${pinoLogger}`,
  'streamlog require + logger': `const m = require(${JSON.stringify(cjs)}); ${slLogger}`,
  ...(baseEsm
    ? {
        'baseline require': `require(${JSON.stringify(baseCjs)})`,
        'baseline import': `import(${JSON.stringify(baseEsm)})`,
      }
    : {}),
};
const names = Object.keys(contenders);
const times = Object.fromEntries(names.map((n) => [n, []]));
const cpu = Object.fromEntries(names.map((n) => [n, []]));
// Each process reports its own CPU time on fd 3 as it exits.
const reportCpu =
  "process.on('exit', () => { const u = process.cpuUsage(); require('node:fs').writeSync(3, String(u.user + u.system)); });";
const startLoad = loadavg()[0];
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < names.length; i++) {
    const name = names[(i + round) % names.length];
    const start = process.hrtime.bigint();
    const run = spawnSync(process.execPath, ['-e', `${reportCpu}\n${contenders[name]}`], {
      stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
    });
    if (run.status !== 0) throw new Error(`${name} failed`);
    times[name].push(Number(process.hrtime.bigint() - start) / 1e6);
    cpu[name].push(Number(run.output[3]) / 1000);
  }
}
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const paired = (a, b, of = times) => {
  const ratios = of[a].map((t, r) => t / of[b][r]);
  return `${median(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}x–${Math.max(...ratios).toFixed(2)}x)`;
};
const against = {
  'streamlog require': 'pino require',
  'streamlog import': 'pino import',
  'streamlog require + logger': 'pino require + logger',
  'baseline require': 'pino require',
  'baseline import': 'pino import',
};
process.stdout.write(
  `\n### Start-up, whole process (${rounds} paired rounds; load average ${startLoad.toFixed(1)} → ${loadavg()[0].toFixed(1)})\n\n` +
    '| process | median ms | over bare Node (ms) | ÷ pino, paired | CPU ms | CPU ÷ pino, paired |\n' +
    '|---|---:|---:|---:|---:|---:|\n',
);
const bare = median(times['node (bare)']);
for (const name of names) {
  const ms = median(times[name]);
  const ratio = against[name] ? paired(name, against[name]) : '';
  const cpuRatio = against[name] ? paired(name, against[name], cpu) : '';
  const cpuMs = median(cpu[name]).toFixed(1);
  process.stdout.write(
    `| ${name} | ${ms.toFixed(1)} | ${(ms - bare).toFixed(1)} | ${ratio} | ${cpuMs} | ${cpuRatio} |\n`,
  );
}
