// 100,000 records over TCP to a real rsyslogd, beside the same loop to a file: the logging
// loop's wall and CPU time (and until close()), each client a fresh process, contenders
// rotated each round; after every syslog round, rsyslog's output file is read back and every
// record of the round (by its msgid, the record's index) must be in it.
//   node bench/syslog.mjs [--rounds 5] [--count 100000]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const args = Object.fromEntries(argv.flatMap((arg, i) => (arg.startsWith('--') ? [[arg.slice(2), argv[i + 1]]] : [])));
const rounds = Number(args.rounds ?? 5);
const count = Number(args.count ?? 100_000);
const client = fileURLToPath(new URL('./syslog-client.mjs', import.meta.url));
const rsyslogd = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((path) => existsSync(path));
if (rsyslogd === undefined) {
  console.error('rsyslogd is not installed (apt-get install -y rsyslog)');
  process.exit(1);
}

const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
const dir = mkdtempSync(join(tmpdir(), 'streamlog-bench-rsyslog-'));
mkdirSync(join(dir, 'work'));
const output = join(dir, 'out.log');
writeFileSync(
  join(dir, 'rsyslog.conf'),
  [
    `global(workDirectory="${dir}/work")`,
    'module(load="imtcp")',
    `input(type="imtcp" address="127.0.0.1" port="${port}")`,
    'template(name="ids" type="string" string="%app-name% %msgid%\\n")',
    `action(type="omfile" file="${output}" template="ids")`,
    '',
  ].join('\n'),
);
const server = spawn(rsyslogd, ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')], {
  stdio: 'inherit',
});
for (let up = false; !up; ) {
  up = await new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
  if (!up) await new Promise((resolve) => setTimeout(resolve, 100));
}

/** Indexes rsyslog wrote for this round's app-name. */
function arrived(tag) {
  const seen = new Set();
  if (!existsSync(output)) return seen;
  for (const line of readFileSync(output, 'utf8').split('\n')) {
    if (line.startsWith(`${tag} `)) seen.add(line.slice(tag.length + 1));
  }
  return seen;
}

async function run(target, round) {
  const tag = `bench${round}`;
  const child = spawn(process.execPath, [client, target, String(port), String(count), tag], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise((resolve) => child.on('close', resolve));
  const result = JSON.parse(out);
  if (target === 'syslog') {
    const deadline = Date.now() + 60_000;
    let seen = arrived(tag);
    while (seen.size < count && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      seen = arrived(tag);
    }
    result.arrived = seen.size;
  }
  return result;
}

const targets = ['syslog', 'file'];
const results = { syslog: [], file: [] };
for (let round = 0; round < rounds; round++) {
  for (const target of round % 2 ? [...targets].reverse() : targets) results[target].push(await run(target, round));
  process.stderr.write(`  round ${round + 1}/${rounds} done\n`);
}
process.kill(server.pid, 'SIGTERM');
await new Promise((resolve) => server.on('exit', resolve));
rmSync(dir, { recursive: true, force: true });

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const pick = (target, key) => median(results[target].map((r) => r[key]));
console.log(
  `\n### ${count.toLocaleString('en')} records, TCP to rsyslogd on 127.0.0.1 vs a file (median of ${rounds} rounds, ms)\n`,
);
console.log("| target | loop wall | loop CPU | until close() wall | until close() CPU | in rsyslog's file |");
console.log('|---|---:|---:|---:|---:|---:|');
for (const target of targets) {
  const inFile = target === 'file' ? '–' : results.syslog.map((r) => `${r.arrived.toLocaleString('en')}`).join(', ');
  console.log(
    `| ${target} | ${pick(target, 'loopMs').toFixed(0)} | ${pick(target, 'loopCpuMs').toFixed(0)} | ` +
      `${pick(target, 'totalMs').toFixed(0)} | ${pick(target, 'totalCpuMs').toFixed(0)} | ${inFile} |`,
  );
}
const ratio = (key) => (pick('syslog', key) / pick('file', key)).toFixed(2);
console.log(
  `\nsyslog / file: loop wall ${ratio('loopMs')}x, loop CPU ${ratio('loopCpuMs')}x, ` +
    `until close() wall ${ratio('totalMs')}x, CPU ${ratio('totalCpuMs')}x`,
);
const paired = results.syslog.map((r, i) => (r.loopMs / results.file[i].loopMs).toFixed(2));
console.log(`per round, loop wall syslog / file: ${paired.join(', ')}`);
const lost = results.syslog.filter((r) => r.arrived !== count).length;
console.log(
  lost === 0 ? "every record of every round is in rsyslog's output file" : `ROUNDS WITH MISSING RECORDS: ${lost}`,
);
