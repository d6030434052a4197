// The streamlog command against the tools an operator would otherwise use, each run in a
// fresh process on the same 1,000,000 NDJSON lines, rounds interleaved with the order
// rotated, medians reported:
//   pipe:   `streamlog pipe` (stdin → a file transport) beside `cat file > out` (a plain copy)
//   pretty: `streamlog pretty` beside `pino-pretty`, both to a file, no colour, clock times
//   floors: a Node script that copies stdin to the file line by line, and one that also
//           parses and stringifies each line (bench/cli-floor.mjs)
// Wall time from spawn to exit; CPU time (user + sys) from the shell's `times`.
//   npm run bench:cli [-- --rounds 5 --lines 1000000]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const args = Object.fromEntries(argv.flatMap((arg, i) => (arg.startsWith('--') ? [[arg.slice(2), argv[i + 1]]] : [])));
const rounds = Number(args.rounds ?? 5);
const lines = Number(args.lines ?? 1_000_000);
const only = args.only;

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'esm', 'cli', 'main.js');
const pinoPretty = join(root, 'node_modules', 'pino-pretty', 'bin.js');
const floor = join(root, 'bench', 'cli-floor.mjs');
const dir = mkdtempSync(join(tmpdir(), 'streamlog-bench-cli-'));
const input = join(dir, 'in.ndjson');
const out = join(dir, 'out');
const config = join(dir, 'streamlog.json');

/** Lines as a service writes them: a child's bindings, a few fields, now and then an error. */
function writeInput() {
  const chunks = [];
  let chunk = '';
  for (let i = 0; i < lines; i++) {
    const base = `{"level":${i % 50 === 0 ? 50 : 30},"time":${1732780800000 + i},"pid":4242,"hostname":"web-1","name":"orders"`;
    const fields = `,"reqId":"req-${i >> 3}","userId":"u-${i % 97}","route":"/orders/:id","statusCode":200,"ms":${i % 23}`;
    chunk += `${base}${fields},"msg":"request completed"}\n`;
    if (chunk.length > 1 << 20) {
      chunks.push(chunk);
      chunk = '';
    }
  }
  chunks.push(chunk);
  writeFileSync(input, chunks.join(''));
  writeFileSync(config, JSON.stringify({ transports: [{ type: 'file', path: out }] }));
}

const node = JSON.stringify(process.execPath);
const q = JSON.stringify;
const contenders = {
  cat: `cat ${q(input)} > ${q(out)}`,
  'node: split lines': `${node} ${q(floor)} split < ${q(input)} > ${q(out)}`,
  'node: parse lines': `${node} ${q(floor)} parse < ${q(input)} > ${q(out)}`,
  'streamlog pipe': `${node} ${q(cli)} pipe --config ${q(config)} < ${q(input)}`,
  'streamlog pretty': `${node} ${q(cli)} pretty --colour never < ${q(input)} > ${q(out)}`,
  'pino-pretty': `${node} ${q(pinoPretty)} --colorize false --translateTime HH:MM:ss.l < ${q(input)} > ${q(out)}`,
};
const names = Object.keys(contenders).filter((n) => !only || only.split(',').includes(n));

function seconds(text) {
  const m = /(\d+)m([\d.]+)s/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
}

/** One run in a fresh shell: wall ms, and the children's user + sys ms from `times`. */
function measure(name) {
  rmSync(out, { force: true });
  const began = process.hrtime.bigint();
  const run = spawnSync('bash', ['-c', `${contenders[name]}; status=$?; times; exit $status`], { encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - began) / 1e6;
  if (run.status !== 0) throw new Error(`${name} failed (${run.status}): ${run.stderr}`);
  const children = run.stdout.trim().split('\n').at(-1).split(/\s+/);
  const cpu = (seconds(children[0]) + seconds(children[1])) * 1000;
  const outLines = statSync(out).size > 0 ? 1 : 0;
  if (!outLines) throw new Error(`${name} wrote nothing`);
  return { wall, cpu };
}

writeInput();
process.stderr.write(`input: ${lines.toLocaleString('en')} lines, ${(statSync(input).size / 1e6).toFixed(1)} MB\n`);
const results = Object.fromEntries(names.map((n) => [n, { wall: [], cpu: [] }]));
for (let round = 0; round < rounds; round++) {
  const shift = round % names.length;
  const order = [...names.slice(shift), ...names.slice(0, shift)];
  for (const name of order) {
    const { wall, cpu } = measure(name);
    results[name].wall.push(wall);
    results[name].cpu.push(cpu);
  }
  process.stderr.write(`  round ${round + 1}/${rounds} done\n`);
}
rmSync(dir, { recursive: true, force: true });

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const row = (name) => {
  const wall = median(results[name].wall);
  return { name, wall, cpu: median(results[name].cpu), rate: lines / (wall / 1000) };
};
const fmt = (n) => Math.round(n).toLocaleString('en');
console.log(`\n### The streamlog command, ${lines.toLocaleString('en')} NDJSON lines (median of ${rounds} rounds)\n`);
console.log('| command | wall (ms) | CPU (ms) | lines/s |');
console.log('|---|---:|---:|---:|');
for (const name of names) {
  const r = row(name);
  console.log(`| \`${name}\` | ${fmt(r.wall)} | ${fmt(r.cpu)} | ${fmt(r.rate)} |`);
}
const ratio = (a, b) => (results[a] && results[b] ? (row(a).rate / row(b).rate).toFixed(2) : 'n/a');
console.log(`\n- streamlog pipe / cat (lines/s): ${ratio('streamlog pipe', 'cat')}x (target >= 0.5x)`);
console.log(`- streamlog pretty / pino-pretty (lines/s): ${ratio('streamlog pretty', 'pino-pretty')}x (target >= 3x)`);
console.log(`- streamlog pipe / pino-pretty (lines/s): ${ratio('streamlog pipe', 'pino-pretty')}x`);
console.log(
  `- node: split lines / cat: ${ratio('node: split lines', 'cat')}x, node: parse lines / cat: ${ratio('node: parse lines', 'cat')}x`,
);
console.log(`- streamlog pipe / node: parse lines: ${ratio('streamlog pipe', 'node: parse lines')}x`);
