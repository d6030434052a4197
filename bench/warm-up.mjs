// Where a short run's time goes, record by record: one process per contender logs `--count`
// records (in whole chunks) and reads, after each `--chunk` of them, the CPU time of its
// main thread (Linux's /proc/thread-self/schedstat, in ns) and of the whole process
// (process.cpuUsage, every thread). What the other threads take is mostly V8 compiling the
// hot path (TurboFan runs on background threads) and the collector's helpers; the main
// thread's early chunks show the records run by slower code until the compiled code is
// ready. Contenders run in turn, once per `--runs`; the totals from record `--from` on are
// what bench/run.mjs would time after a warm-up of that many records.
//   node bench/warm-up.mjs [--libs streamlog,floor] [--workload 'deep object'] [--count 30000]
//     [--chunk 1000] [--from 2000] [--runs 2] [--dest file|devnull]
// Same libraries and workloads as bench/run.mjs (STREAMLOG_BASELINE adds 'streamlog (baseline)').
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCHEDSTAT = '/proc/thread-self/schedstat';
const argv = process.argv.slice(2);
const args = Object.fromEntries(argv.flatMap((arg, i) => (arg.startsWith('--') ? [[arg.slice(2), argv[i + 1]]] : [])));

if (args.child !== undefined) await child();
else parent();

function parent() {
  if (!existsSync(SCHEDSTAT)) {
    process.stderr.write(`bench/warm-up.mjs reads ${SCHEDSTAT} (Linux) for the main thread's CPU time\n`);
    process.exit(2);
  }
  const libs = (args.libs ?? 'streamlog,floor').split(',');
  const workload = args.workload ?? 'deep object';
  const count = Number(args.count ?? 30_000);
  const chunk = Number(args.chunk ?? 1000);
  const from = Number(args.from ?? 2000);
  const runs = Number(args.runs ?? 2);
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-warm-up-'));
  const self = fileURLToPath(import.meta.url);
  const f = (ms) => ms.toFixed(1);
  console.log(`\n### ${workload}: CPU ms per ${chunk.toLocaleString('en')} records, main thread / other threads\n`);
  const header = `| contender | run | main, by chunk | others, by chunk | main from ${from} | others from ${from} |`;
  console.log(header);
  console.log('|---|---:|---|---|---:|---:|');
  try {
    for (let run = 1; run <= runs; run++) {
      for (const lib of libs) {
        const path = args.dest === 'devnull' ? '/dev/null' : join(dir, 'out.log');
        rmSync(path, { force: true });
        const result = spawnSync(
          process.execPath,
          [
            self,
            '--child',
            lib,
            '--workload',
            workload,
            '--path',
            path,
            '--count',
            String(count),
            '--chunk',
            String(chunk),
          ],
          { encoding: 'utf8', env: process.env },
        );
        if (result.status !== 0) {
          process.stderr.write(result.stderr);
          process.exitCode = 1;
          return;
        }
        const rows = JSON.parse(result.stdout);
        const skip = Math.round(from / chunk);
        const sum = (index) => rows.slice(skip).reduce((total, row) => total + row[index], 0);
        const main = rows.map((row) => f(row[0])).join(' ');
        const others = rows.map((row) => f(row[1])).join(' ');
        console.log(`| ${lib} | ${run} | ${main} | ${others} | ${f(sum(0))} | ${f(sum(1))} |`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log("\nThe last chunk of each row is the logger's close (its final write).");
}

async function child() {
  const { libraries } = await import('./libraries.mjs');
  const { workloads } = await import('./workloads.mjs');
  const count = Number(args.count);
  const chunk = Number(args.chunk);
  for (const [kind, name, known] of [
    ['library', args.child, libraries],
    ['workload', args.workload, workloads],
  ]) {
    if (typeof known[name] === 'function') continue;
    process.stderr.write(`unknown ${kind} "${name}"; known: ${Object.keys(known).join(', ')}\n`);
    process.exit(2);
  }
  const { log, done } = await libraries[args.child](args.path);
  const logOne = workloads[args.workload](log);
  const mainNs = () => Number(readFileSync(SCHEDSTAT, 'latin1').split(' ')[0]);
  const rows = [];
  let lastCpu = process.cpuUsage();
  let lastMain = mainNs();
  const take = () => {
    const cpu = process.cpuUsage();
    const main = mainNs();
    const all = (cpu.user + cpu.system - lastCpu.user - lastCpu.system) / 1000;
    const own = (main - lastMain) / 1e6;
    // The two clocks tick apart: a chunk with nothing on other threads can read a hair below 0.
    rows.push([own, Math.max(0, all - own)]);
    lastCpu = cpu;
    lastMain = main;
  };
  for (let logged = 0; logged < count; logged += chunk) {
    for (let i = 0; i < chunk; i++) logOne();
    take();
  }
  await done(Math.ceil(count / chunk) * chunk);
  take();
  process.stdout.write(JSON.stringify(rows));
}
