// Shipping to an OTLP collector: 200,000 records logged in a loop and sent to a receiver on
// 127.0.0.1, through streamlog's otlp preset and through the OpenTelemetry JS SDK (its
// defaults, and its queue raised until it delivers everything). Reports records delivered
// / logged, time until the receiver holds them all (and until the client exits), the
// logging loop's own cost (with
// a file target beside it), the client process's own CPU time (user + system) per delivered
// record, and the CPU time the receiver spent reading what it was sent.
// Rounds interleaved; each client its own process.
// `--yield N` lets each client's event loop turn every N records (a service between requests);
// `--prototype` adds the worker-thread experiment (bench/otlp-worker-prototype.mjs);
// `--baseline <another checkout's bench/otlp-client.mjs>` adds that build's streamlog (its
// own dist/) as a row, in the same rounds, and prints the per-round ratio to it.
// `--only streamlog,streamlog-file` runs just those rows (e.g. the logging loop's pair).
//   node bench/otlp.mjs [--rounds 5] [--count 200000] [--yield 0] [--prototype] [--baseline <file>] [--only …]
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const args = Object.fromEntries(
  argv.flatMap((arg, i) =>
    arg.startsWith('--') ? [[arg.slice(2), argv[i + 1]?.startsWith('--') ? '' : argv[i + 1]]] : [],
  ),
);
const rounds = Number(args.rounds ?? 5);
const count = Number(args.count ?? 200_000);
const yieldEvery = Number(args.yield ?? 0);
const client = fileURLToPath(new URL('./otlp-client.mjs', import.meta.url));
const prototype = fileURLToPath(new URL('./otlp-worker-prototype.mjs', import.meta.url));
const libraries = ['streamlog', 'otel-defaults', 'otel-tuned', 'streamlog-file', 'streamlog-floor'].filter(
  // `--only streamlog,streamlog-file`: just those rows (the ratios that need others are left out).
  (l) => args.only === undefined || args.only.split(',').includes(l),
);
if ('prototype' in args) libraries.push('worker-prototype');
if (args.baseline) libraries.push('baseline');
const labels = {
  streamlog: 'streamlog (otlp, defaults)',
  'otel-defaults': 'OTel SDK, defaults',
  'otel-tuned': 'OTel SDK, tuned to deliver everything',
  'streamlog-file': 'streamlog, file target',
  'streamlog-floor': 'streamlog, bodies prebuilt (encoding free)',
  'worker-prototype': 'worker-thread prototype (encodes and sends during the loop)',
  baseline: `streamlog (otlp, defaults), the build of ${args.baseline}`,
};

let received = 0;
/** When the receiver came to hold every record of the current run (undefined until it does). */
let allReceivedAt;
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    for (const r of body.resourceLogs ?? []) for (const s of r.scopeLogs ?? []) received += (s.logRecords ?? []).length;
    if (received >= count && allReceivedAt === undefined) allReceivedAt = performance.now();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/v1/logs`;

async function run(library) {
  received = 0;
  allReceivedAt = undefined;
  const began = performance.now();
  const cpu = process.cpuUsage();
  const command =
    library === 'worker-prototype'
      ? [prototype, url, String(count)]
      : library === 'baseline'
        ? [args.baseline, 'streamlog', url, String(count), String(yieldEvery)]
        : [client, library, url, String(count), String(yieldEvery)];
  const child = spawn(process.execPath, command, {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise((resolve) => child.on('close', resolve));
  const used = process.cpuUsage(cpu);
  return {
    loopMs: Number(out.split('\n')[0]),
    // Until the receiver holds them all; for a client that never delivers them all, until it exits.
    totalMs: (allReceivedAt ?? performance.now()) - began,
    exitMs: performance.now() - began,
    delivered: received / count,
    // This process is the receiver: its CPU time is what reading the bodies cost it.
    receiverMs: (used.user + used.system) / 1000,
    // The client's own user + system CPU, as it printed on exit (the prototype prints none).
    clientCpuMs: Number(/^cpu (\S+)$/m.exec(out)?.[1] ?? Number.NaN),
    faults: Number(/^faults (\S+)$/m.exec(out)?.[1] ?? Number.NaN),
  };
}

const results = Object.fromEntries(libraries.map((l) => [l, []]));
for (let round = 0; round < rounds; round++) {
  for (const library of round % 2 ? [...libraries].reverse() : libraries) results[library].push(await run(library));
  process.stderr.write(`  round ${round + 1}/${rounds} done\n`);
}
server.close();
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const row = (library) => {
  const r = results[library];
  return {
    loop: median(r.map((x) => x.loopMs)),
    total: median(r.map((x) => x.totalMs)),
    exit: median(r.map((x) => x.exitMs)),
    delivered: median(r.map((x) => x.delivered)),
    receiver: median(r.map((x) => x.receiverMs)),
    // µs of the client's CPU per record the receiver got.
    cpuPerRecord: median(r.map((x) => (x.clientCpuMs * 1000) / (x.delivered * count))),
    faults: median(r.map((x) => x.faults)),
  };
};
console.log(
  `\n### ${count.toLocaleString('en')} records to an OTLP receiver on 127.0.0.1` +
    `${yieldEvery > 0 ? `, the loop yielding every ${yieldEvery.toLocaleString('en')}` : ''} (median of ${rounds} rounds)\n`,
);
console.log(
  '| client | delivered / logged | until all received (ms) | until the client exits (ms) | logging loop (ms) | ' +
    'client CPU per delivered record (µs) | client page faults | receiver CPU (ms) |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const library of libraries) {
  const r = row(library);
  const total = library === 'streamlog-file' ? '(file)' : r.delivered < 1 ? '(never)' : r.total.toFixed(0);
  const exit = library === 'streamlog-file' ? '(file)' : r.exit.toFixed(0);
  const delivered = library === 'streamlog-file' ? '(file)' : `${(r.delivered * 100).toFixed(1)}%`;
  const receiver = library === 'streamlog-file' ? '–' : r.receiver.toFixed(0);
  const cpu = library === 'streamlog-file' || !Number.isFinite(r.cpuPerRecord) ? '–' : r.cpuPerRecord.toFixed(2);
  console.log(
    `| ${labels[library]} | ${delivered} | ${total} | ${exit} | ${r.loop.toFixed(0)} | ${cpu} | ` +
      `${Number.isFinite(r.faults) ? r.faults.toFixed(0) : '–'} | ${receiver} |`,
  );
}
const ran = (...names) => names.every((name) => libraries.includes(name));
if (ran('streamlog', 'otel-tuned', 'streamlog-file', 'streamlog-floor')) {
  const ours = row('streamlog');
  const tuned = row('otel-tuned');
  const file = row('streamlog-file');
  console.log(
    `\nstreamlog / OTel SDK tuned to deliver everything, time until received: ${(ours.total / tuned.total).toFixed(2)}x`,
  );
  console.log(`streamlog logging loop, http target / file target: ${(ours.loop / file.loop).toFixed(2)}x`);
  console.log(
    `with bodies prebuilt (the floor of this client and receiver): ${(row('streamlog-floor').total / tuned.total).toFixed(2)}x`,
  );
}
// Issue #17's targets: the client's CPU per delivered record at most 0.6x the tuned SDK's, and
// the time until received at most 1.1x the encoding-free floor's. Ratios per round (each
// round runs both in the same conditions), then their median and range.
const perRound = (a, b, value) => results[a].map((x, i) => value(x) / value(results[b][i])).sort((p, q) => p - q);
const ratio = (values) => `${median(values).toFixed(2)}x (${values[0].toFixed(2)}–${values.at(-1).toFixed(2)})`;
const cpuPerRecord = (x) => x.clientCpuMs / (x.delivered * count);
if (ran('streamlog', 'otel-tuned')) {
  console.log(
    `client CPU per delivered record, streamlog / OTel SDK tuned (target ≤ 0.6x): ` +
      ratio(perRound('streamlog', 'otel-tuned', cpuPerRecord)),
  );
}
if (ran('streamlog', 'streamlog-floor')) {
  console.log(
    `until all received, streamlog / the encoding-free floor (target ≤ 1.1x): ` +
      ratio(perRound('streamlog', 'streamlog-floor', (x) => x.totalMs)),
  );
}
// Issue #23's target: the logging loop with an http target at most 1.2x the same loop with a file target.
if (ran('streamlog', 'streamlog-file')) {
  console.log(
    `logging loop, http target / file target (target ≤ 1.2x): ` +
      ratio(perRound('streamlog', 'streamlog-file', (x) => x.loopMs)),
  );
}
if (args.baseline) {
  console.log(
    `until all received, streamlog / the baseline: ${ratio(perRound('streamlog', 'baseline', (x) => x.totalMs))}`,
  );
  console.log(
    `client CPU, streamlog / the baseline: ${ratio(perRound('streamlog', 'baseline', (x) => x.clientCpuMs))}`,
  );
}
