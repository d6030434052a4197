// Instructions per record, counted by valgrind's cachegrind (no cache simulation), for the
// same worker and workloads as bench/run.mjs. Each contender runs once with the records and
// once with none; the difference, over the records logged, is its cost per record, the
// compiler's work on the logging path included (spread over the records, so it weighs more
// in a short run: 100,000 records give a little more per record than a million would).
// On a shared host, time moves by 5-10% between runs of the same build, so a change worth
// 2-4% cannot be told from noise in fewer than dozens of rounds; this count moved by 0.3% or
// less between runs of `deep object` (the difference of a run of N and one of 2N did not: it
// moved by 15%, as the compiler's threads finish at different points of the longer run). It
// counts every thread's work (the collector's and the compiler's too) but not what the work
// waits for: cache misses, page faults, the kernel's side of a system call. So it complements
// bench/run.mjs and never replaces it: a change must not lose time there either.
//   node bench/instructions.mjs [--count 100000] [--only 'deep object,basic'] [--libs streamlog,floor]
//     [--dest file|devnull] [--runs 1]
// Needs valgrind (`apt-get install -y valgrind`). With STREAMLOG_BASELINE=<dist/esm/index.js>
// the libraries include 'streamlog (baseline)', as in bench/run.mjs.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const args = Object.fromEntries(argv.flatMap((arg, i) => (arg.startsWith('--') ? [[arg.slice(2), argv[i + 1]]] : [])));
const count = Number(args.count ?? 100_000);
const runs = Number(args.runs ?? 1);
const workloads = (args.only ?? 'basic,object,deep object,long string,child').split(',');
const baseline = process.env.STREAMLOG_BASELINE ? ['streamlog (baseline)'] : [];
const libs = args.libs ? args.libs.split(',') : ['streamlog', ...baseline, 'floor'];
const dest = args.dest ?? 'file';
const worker = fileURLToPath(new URL('./worker.mjs', import.meta.url));

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  process.stderr.write('bench/instructions.mjs needs valgrind: apt-get install -y valgrind\n');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'streamlog-instructions-'));

/** Instructions one worker process executes, start to end. */
function instructions(lib, workload, records) {
  const path = dest === 'devnull' ? '/dev/null' : join(dir, `out-${records}.log`);
  const log = join(dir, 'valgrind.txt');
  const result = spawnSync(
    'valgrind',
    [
      '--tool=cachegrind',
      '--cache-sim=no',
      '--cachegrind-out-file=/dev/null',
      `--log-file=${log}`,
      process.execPath,
      worker,
      lib,
      workload,
      path,
      String(records),
    ],
    { encoding: 'utf8', env: process.env },
  );
  if (result.status !== 0) throw new Error(`${lib} / ${workload} failed: ${result.stderr}`);
  if (dest !== 'devnull') rmSync(path, { force: true });
  const refs = /I\s+refs:\s+([\d,]+)/.exec(readFileSync(log, 'utf8'));
  if (refs === null) throw new Error(`no instruction count from valgrind for ${lib} / ${workload}`);
  return Number(refs[1].replaceAll(',', ''));
}

/** What the worker logs for `records` timed records: its warm-up too. */
const logged = (records) => records + Math.min(2000, records / 10);

const table = [];
for (const workload of workloads) {
  const row = { workload, perRecord: {} };
  for (const lib of libs) {
    const samples = [];
    for (let run = 0; run < runs; run++) {
      const cost = instructions(lib, workload, count) - instructions(lib, workload, 0);
      samples.push(cost / logged(count));
    }
    row.perRecord[lib] = samples;
    process.stderr.write(
      `${workload} / ${lib}: ${samples.map((s) => s.toFixed(0)).join(', ')} instructions a record\n`,
    );
  }
  table.push(row);
}
rmSync(dir, { recursive: true, force: true });

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const thousands = (value) => `${(value / 1000).toFixed(2)}k`;
const ratioHeads = libs.filter((lib) => lib !== libs[0]).map((lib) => `${libs[0]} ÷ ${lib}`);
const where = dest === 'devnull' ? '/dev/null' : 'a file';
const lines = [
  `\n### Instructions per record (cachegrind), ${count.toLocaleString('en')} records to ${where}, ` +
    `${runs} run(s) each, median\n`,
  `| workload | ${[...libs, ...ratioHeads].join(' | ')} |`,
  `|---|${[...libs, ...ratioHeads].map(() => '---:').join('|')}|`,
];
for (const { workload, perRecord } of table) {
  const first = median(perRecord[libs[0]]);
  const cells = libs.map((lib) => thousands(median(perRecord[lib])));
  const ratios = libs.slice(1).map((lib) => `${(first / median(perRecord[lib])).toFixed(3)}x`);
  lines.push(`| ${workload} | ${[...cells, ...ratios].join(' | ')} |`);
}
process.stdout.write(`${lines.join('\n')}\n`);
