// Side-by-side benchmark: the same records through streamlog, the floor (a hand-written
// writer), pino and others, each measurement in its own process, contenders rotated each
// round. Ratios are paired: taken within each round (both sides ran back to back under the
// same load), then the median over rounds, with the lowest and highest round beside it.
//   node bench/run.mjs [--rounds 7] [--count 100000] [--only basic,child] [--dest devnull,file]
//     [--mode compare|fanout|pino-options|formatters|multistream] [--libs a,b] [--alloc 0]
//     [--warmup N] (records logged before timing; default a tenth of --count, at most 2,000)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultWorkloads } from './workloads.mjs';

const argv = process.argv.slice(2);
const args = Object.fromEntries(argv.flatMap((arg, i) => (arg.startsWith('--') ? [[arg.slice(2), argv[i + 1]]] : [])));
const rounds = Number(args.rounds ?? 7);
const count = Number(args.count ?? 100_000);
const warmUp = Number(args.warmup ?? Math.min(2000, count / 10));
const destinations = (args.dest ?? 'devnull,file').split(',');
const mode = args.mode ?? 'compare';
const baseline = process.env.STREAMLOG_BASELINE ? ['streamlog (baseline)'] : [];
const PINO = ['pino (sync)', 'pino (async)'];

/** Per mode: contenders, and the paired ratios printed ([label, numerator, denominators: the fastest of them per round]). */
const MODES = {
  compare: {
    libs: ['streamlog', ...baseline, 'floor', ...PINO],
    ratios: [
      ['streamlog ÷ best pino', 'streamlog', PINO],
      ['streamlog ÷ floor', 'streamlog', ['floor']],
      ...(baseline.length ? [['streamlog ÷ baseline', 'streamlog', baseline]] : []),
    ],
    workloads: defaultWorkloads,
  },
  fanout: {
    libs: ['streamlog fan-out', ...(baseline.length ? ['streamlog fan-out (baseline)'] : []), 'streamlog', ...PINO],
    ratios: [
      ['fan-out ÷ one JSON file', 'streamlog fan-out', ['streamlog']],
      ['fan-out ÷ best pino (one file)', 'streamlog fan-out', PINO],
      ...(baseline.length
        ? [['fan-out ÷ baseline fan-out', 'streamlog fan-out', ['streamlog fan-out (baseline)']]]
        : []),
    ],
    // child-creation: a child logger per record, as a request handler makes one per request.
    workloads: ['basic', 'object', 'child', 'child-creation'],
  },
  'pino-options': {
    libs: ['streamlog', 'streamlog mixin+log', 'pino (sync)', 'pino mixin+log'],
    ratios: [
      ['with ÷ without (streamlog)', 'streamlog mixin+log', ['streamlog']],
      ['with ÷ without (pino)', 'pino mixin+log', ['pino (sync)']],
      ['streamlog ÷ pino, with', 'streamlog mixin+log', ['pino mixin+log']],
    ],
    workloads: ['basic', 'object', 'child'],
  },
  formatters: {
    libs: ['streamlog formatters', 'pino formatters'],
    ratios: [['streamlog ÷ pino', 'streamlog formatters', ['pino formatters']]],
    workloads: ['pino object'],
  },
  multistream: {
    libs: ['streamlog multistream', 'pino multistream'],
    ratios: [['streamlog ÷ pino', 'streamlog multistream', ['pino multistream']]],
    workloads: ['pino basic'],
  },
};
const spec = MODES[mode];
if (!spec) throw new Error(`unknown --mode ${mode}: one of ${Object.keys(MODES).join(', ')}`);
const libs = args.libs ? args.libs.split(',') : spec.libs;
const names = args.only ? args.only.split(',') : spec.workloads;
const countAlloc = (args.alloc ?? (mode === 'compare' ? '1' : '0')) !== '0';
const worker = fileURLToPath(new URL('./worker.mjs', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'streamlog-bench-'));
// Also when a measurement fails (a worker that throws on a full disk left a file of gigabytes).
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function measure(lib, workload, dest, round, env = process.env) {
  const path = dest === 'devnull' ? '/dev/null' : join(scratch, `${lib.replace(/\W/g, '_')}-${round}.log`);
  const out = execFileSync(process.execPath, [worker, lib, workload, path, String(count), String(warmUp)], {
    encoding: 'utf8',
    env,
  });
  if (dest === 'file') for (const name of readdirSync(scratch)) rmSync(join(scratch, name), { force: true });
  return JSON.parse(out);
}

const startLoad = loadavg()[0];
const results = {}; // dest → workload → lib → [{ ns, cpuUs }]
let done = 0;
const total = destinations.length * names.length * rounds * libs.length;
for (const dest of destinations) {
  results[dest] = {};
  for (const workload of names) {
    const perLib = Object.fromEntries(libs.map((l) => [l, []]));
    results[dest][workload] = perLib;
    for (let round = 0; round < rounds; round++) {
      // Rotate the order each round so no contender always runs first.
      const order = libs.map((_, i) => libs[(i + round) % libs.length]);
      for (const lib of order) {
        perLib[lib].push(measure(lib, workload, dest, round));
        done++;
        if (process.stderr.isTTY) process.stderr.write(`\r  ${done}/${total} measurements`);
      }
    }
    if (!process.stderr.isTTY) process.stderr.write(`  ${done}/${total} measurements (${dest}, ${workload} done)\n`);
  }
}
process.stderr.write('\n');

const ms = (value) => (value / 1e6).toFixed(1);
const x = (value) => `${value.toFixed(2)}x`;
/** The paired ratio: per round numerator ÷ the fastest denominator, median (lowest–highest). */
function paired(rows, numerator, denominators, key) {
  const present = denominators.filter((d) => rows[d]);
  if (!rows[numerator] || present.length === 0) return '–';
  const ratios = rows[numerator].map((m, r) => m[key] / Math.min(...present.map((d) => rows[d][r][key])));
  return `${x(median(ratios))} (${x(Math.min(...ratios))}–${x(Math.max(...ratios))})`;
}

const ratios = spec.ratios;
const model = cpus()[0]?.model ?? 'unknown CPU';
process.stdout.write(
  `\n${new Date().toISOString().slice(0, 10)}, ${model} × ${cpus().length}, Node ${process.version}, ` +
    `load average ${startLoad.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end; ` +
    `\`node bench/run.mjs ${argv.join(' ')}\`\n`,
);
for (const dest of destinations) {
  const title = dest === 'devnull' ? '/dev/null' : 'a file';
  process.stdout.write(
    `\n### ${count.toLocaleString('en')} records to ${title} after ${warmUp.toLocaleString('en')} untimed, ${rounds} rounds: median wall / CPU ms; ratios paired per round, median (range)\n\n`,
  );
  const heads = [...libs, ...ratios.flatMap(([label]) => [`${label} (wall)`, `${label} (CPU)`])];
  process.stdout.write(`| workload | ${heads.join(' | ')} |\n|---|${heads.map(() => '---:').join('|')}|\n`);
  for (const workload of names) {
    const rows = results[dest][workload];
    const times = libs.map(
      (l) => `${ms(median(rows[l].map((m) => m.ns)))} / ${ms(1e3 * median(rows[l].map((m) => m.cpuUs)))}`,
    );
    const cells = ratios.flatMap(([, num, dens]) => [paired(rows, num, dens, 'ns'), paired(rows, num, dens, 'cpuUs')]);
    process.stdout.write(`| ${workload} | ${[...times, ...cells].join(' | ')} |\n`);
  }
}

if (countAlloc) {
  // One more run per contender and workload, counting allocation (it slows the run a little).
  const dest = destinations.includes('file') ? 'file' : destinations[0];
  process.stdout.write(
    `\n### Bytes allocated per record (JS heap, logging loop, ${count.toLocaleString('en')} records)\n\n`,
  );
  const floorRatio = libs.includes('floor') && libs.includes('streamlog');
  const heads = [...libs, ...(floorRatio ? ['streamlog ÷ floor'] : [])];
  process.stdout.write(`| workload | ${heads.join(' | ')} |\n|---|${heads.map(() => '---:').join('|')}|\n`);
  for (const workload of names) {
    if (workload === 'disabled') continue;
    const perRecord = Object.fromEntries(
      libs.map((lib) => [
        lib,
        measure(lib, workload, dest, 0, { ...process.env, BENCH_ALLOC: '1' }).allocBytes / count,
      ]),
    );
    const cells = libs.map((l) => perRecord[l].toFixed(0));
    if (floorRatio) cells.push(x(perRecord.streamlog / perRecord.floor));
    process.stdout.write(`| ${workload} | ${cells.join(' | ')} |\n`);
  }
}
