// Side-by-side benchmark: the same records through streamlog, pino and winston, each
// measurement in its own process, rounds interleaved, medians and ratios printed.
//   node bench/run.mjs [--rounds 5] [--count 100000] [--only basic,child] [--dest devnull,file]
//     [--mode fanout|pino-options]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { workloads } from './workloads.mjs';
import { libraries } from './libraries.mjs';

const argv = process.argv.slice(2);
const args = Object.fromEntries(argv.flatMap((arg, i) => (arg.startsWith('--') ? [[arg.slice(2), argv[i + 1]]] : [])));
const rounds = Number(args.rounds ?? 5);
const count = Number(args.count ?? 100_000);
const names = args.only ? args.only.split(',') : Object.keys(workloads);
const destinations = (args.dest ?? 'devnull,file').split(',');
// The fan-out runs are their own table (against pino writing one file).
const mode = args.mode ?? 'compare';
const MODES = {
  fanout: ['streamlog fan-out', 'streamlog', 'pino (sync)', 'pino (async)'],
  'pino-options': ['streamlog', 'streamlog mixin+log', 'pino (sync)', 'pino mixin+log'],
};
const libs = MODES[mode] ?? Object.keys(libraries).filter((l) => !l.includes('fan-out') && !l.includes('mixin+log'));
const worker = fileURLToPath(new URL('./worker.mjs', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'streamlog-bench-'));

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const results = {}; // dest → workload → lib → [ns]
let done = 0;
const total = destinations.length * names.length * rounds * libs.length;
for (const dest of destinations) {
  results[dest] = {};
  for (const workload of names) {
    results[dest][workload] = Object.fromEntries(libs.map((l) => [l, []]));
    for (let round = 0; round < rounds; round++) {
      // Rotate the order each round so no library always runs first.
      const order = libs.map((_, i) => libs[(i + round) % libs.length]);
      for (const lib of order) {
        const path = dest === 'devnull' ? '/dev/null' : join(scratch, `${lib.replace(/\W/g, '_')}-${round}.log`);
        const out = execFileSync(process.execPath, [worker, lib, workload, path, String(count)], { encoding: 'utf8' });
        results[dest][workload][lib].push(JSON.parse(out).ns);
        if (dest === 'file')
          for (const suffix of ['', '.json', '.txt', '.stable.json']) rmSync(path + suffix, { force: true });
        done++;
        if (process.stderr.isTTY) process.stderr.write(`\r  ${done}/${total} measurements`);
      }
    }
    if (!process.stderr.isTTY) process.stderr.write(`  ${done}/${total} measurements (${dest}, ${workload} done)\n`);
  }
}
process.stderr.write('\n');
rmSync(scratch, { recursive: true, force: true });

const ms = (ns) => (ns / 1e6).toFixed(1);
for (const dest of destinations) {
  const title = dest === 'devnull' ? '/dev/null' : 'a file';
  process.stdout.write(`\n### ${count.toLocaleString('en')} records to ${title} (median of ${rounds} rounds, ms)\n\n`);
  const ratios =
    mode === 'fanout'
      ? ['fan-out / best pino (one file)']
      : mode === 'pino-options'
        ? ['with / without (streamlog)', 'with / without (pino)', 'streamlog / pino, with']
        : ['streamlog / best pino', 'winston / streamlog'];
  process.stdout.write(`| workload | ${libs.join(' | ')} | ${ratios.join(' | ')} |\n`);
  process.stdout.write(`|---|${libs.map(() => '---:').join('|')}|${ratios.map(() => '---:').join('|')}|\n`);
  for (const workload of names) {
    const med = Object.fromEntries(libs.map((l) => [l, median(results[dest][workload][l])]));
    const bestPino = Math.min(med['pino (sync)'], med['pino (async)'] ?? Number.POSITIVE_INFINITY);
    const row = libs.map((l) => ms(med[l])).join(' | ');
    const x = (a, b) => `${(a / b).toFixed(2)}x`;
    const cells =
      mode === 'fanout'
        ? [x(med['streamlog fan-out'], bestPino)]
        : mode === 'pino-options'
          ? [
              x(med['streamlog mixin+log'], med.streamlog),
              x(med['pino mixin+log'], med['pino (sync)']),
              x(med['streamlog mixin+log'], med['pino mixin+log']),
            ]
          : [x(med.streamlog, bestPino), `${(med.winston / med.streamlog).toFixed(1)}x`];
    process.stdout.write(`| ${workload} | ${row} | ${cells.join(' | ')} |\n`);
  }
}
