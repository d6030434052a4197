// Two builds of streamlog side by side (this checkout's and another's, such as the one a change
// started from: `git archive <rev> | tar -x -C /tmp/old`, then `npm run build` there), paired
// rounds, a fresh process each: `node bench/builds.mjs --other /tmp/old/dist/esm/index.js`.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { median, pairedRounds, printTimed, ratioText, roundsAndCount } from './paired-rounds.mjs';

const redact = ['req.headers.authorization', 'password', 'user.card'];
const deep = Object.assign({}, createRequire(import.meta.url)('../package.json'), { level: 'info' });
const request = { req: { method: 'GET', url: '/orders', headers: { host: 'api.example' } }, user: { id: 1 } };
/** case → [logger options, one call]. */
const cases = {
  basic: [{}, (log) => log.info('hello world')],
  deep: [{}, (log) => log.info({ deep })],
  'redact, keys absent': [{ redact }, (log) => log.info(request, 'request handled')],
};

const [role, name, path, countText, other] = process.argv.slice(2);
if (role === 'worker') {
  const [build, c] = name.split(': ');
  const dist = build === 'this' ? '../dist/esm/index.js' : other;
  const { createLogger } = await import(dist);
  const [options, call] = cases[c];
  const log = createLogger({ ...options, exitFlush: false, transports: [{ type: 'file', path }] });
  for (let i = 0; i < 2000; i++) call(log);
  await printTimed(async () => {
    for (let i = 0; i < Number(countText); i++) call(log);
    await log.close();
  });
} else {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--other');
  if (at < 0 || argv[at + 1] === undefined) throw new Error('--other <path to the other build>/dist/esm/index.js');
  const { rounds, count } = roundsAndCount(argv, { rounds: 9, count: 100_000 });
  const names = Object.keys(cases).flatMap((c) => [`this: ${c}`, `other: ${c}`]);
  const results = pairedRounds(fileURLToPath(import.meta.url), names, count, rounds, [argv[at + 1]]);
  console.log('| case | other wall / CPU ms | this wall / CPU ms | this ÷ other (wall) | this ÷ other (CPU) |');
  console.log('|---|---:|---:|---:|---:|');
  for (const c of Object.keys(cases)) {
    const [o, t] = [results[`other: ${c}`], results[`this: ${c}`]];
    const ms = (r, key, unit) => (median(r.map((m) => m[key])) / unit).toFixed(1);
    const ratio = (key) => ratioText(t.map((m, i) => m[key] / o[i][key]));
    const cells = [`${ms(o, 'ns', 1e6)} / ${ms(o, 'cpuUs', 1e3)}`, `${ms(t, 'ns', 1e6)} / ${ms(t, 'cpuUs', 1e3)}`];
    console.log(`| ${c} | ${cells.join(' | ')} | ${ratio('ns')} | ${ratio('cpuUs')} |`);
  }
}
