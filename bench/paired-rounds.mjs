// The harness of the benchmarks whose contenders each run as `node <script> worker <name> <file> <count> [extra…]`
// and print one JSON measurement: paired rounds, a fresh process each, the order rotated every round.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** name → one measurement per round (in round order, so rounds pair up across contenders). */
export function pairedRounds(script, names, count, rounds, extra = []) {
  const scratch = mkdtempSync(join(tmpdir(), 'streamlog-bench-'));
  const results = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const contender = names[(i + round) % names.length];
      const file = join(scratch, `${i}-${round}.log`);
      const out = execFileSync(process.execPath, [script, 'worker', contender, file, String(count), ...extra], {
        encoding: 'utf8',
      });
      results[contender][round] = JSON.parse(out);
      rmSync(file, { force: true });
    }
  }
  rmSync(scratch, { recursive: true, force: true });
  return results;
}

/** The median (of an even count, the mean of the middle two). */
export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Per-round ratios as `median (min–max)`. */
export function ratioText(ratios) {
  return `${median(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}x–${Math.max(...ratios).toFixed(2)}x)`;
}

/** In a worker: times `work` (from its start to its end) and prints what pairedRounds reads. */
export async function printTimed(work) {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await work();
  const ns = Number(process.hrtime.bigint() - start);
  const used = process.cpuUsage(cpu);
  process.stdout.write(`${JSON.stringify({ ns, cpuUs: used.user + used.system })}\n`);
}

/** `--rounds 7 --count 1000` as numbers, with defaults. */
export function roundsAndCount(argv, defaults) {
  const args = Object.fromEntries(argv.flatMap((a, i) => (a.startsWith('--') ? [[a.slice(2), argv[i + 1]]] : [])));
  return { rounds: Number(args.rounds ?? defaults.rounds), count: Number(args.count ?? defaults.count) };
}
