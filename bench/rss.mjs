// Peak resident memory while logging 1,000,000 records to a file, one process per library.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const count = Number(process.argv[2] ?? 1_000_000);
const worker = fileURLToPath(new URL('./worker.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'streamlog-rss-'));
process.stdout.write(
  `\n### Peak RSS, ${count.toLocaleString('en')} basic records to a file\n\n` +
    '| library | peak RSS (MiB) | time (ms) |\n|---|---:|---:|\n',
);
for (const lib of ['streamlog', 'floor', 'pino (sync)', 'pino (async)', 'winston']) {
  const path = join(dir, `${lib.replace(/\W/g, '_')}.log`);
  const { ns, maxRssKiB } = JSON.parse(
    execFileSync(process.execPath, [worker, lib, 'basic', path, String(count)], { encoding: 'utf8' }),
  );
  rmSync(path, { force: true });
  process.stdout.write(`| ${lib} | ${(maxRssKiB / 1024).toFixed(0)} | ${(ns / 1e6).toFixed(0)} |\n`);
}
rmSync(dir, { recursive: true, force: true });
