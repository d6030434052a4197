// Shipping beside its peers: pino with pino-loki and pino with pino-opentelemetry-transport
// (each at its defaults) and streamlog's `loki` and `otlp` presets (the http transport at its
// defaults), each logging 20,000 records at 5,000 a second (50 every 10 ms) to a receiver on
// 127.0.0.1 (bench/peers-receiver.mjs), in three scenarios: no outage; 503 for 1.5 s from
// 1.5 s after the first record; the backend restarting (server and connections closed at
// 1.5 s, listening again 1 s later). Each record carries a `seq`; the receiver counts the
// distinct ones (delivered) and the extra arrivals (duplicated). A client gets until 15 s
// after its last record to finish sending and exit, then is killed and counted as it stands.
// Each run a fresh process; the clients' order rotates each round.
//   node bench/peers.mjs [--rounds 3] [--count 20000] [--rate 5000]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Receiver } from './peers-receiver.mjs';

const argv = process.argv.slice(2);
const args = Object.fromEntries(
  argv.flatMap((arg, i) =>
    arg.startsWith('--') ? [[arg.slice(2), argv[i + 1]?.startsWith('--') ? '' : argv[i + 1]]] : [],
  ),
);
const rounds = Number(args.rounds ?? 3);
const count = Number(args.count ?? 20_000);
const perTick = Number(args.rate ?? 5_000) / 100;
const GRACE_MS = 15_000;
const client = fileURLToPath(new URL('./peers-client.mjs', import.meta.url));
const clients = ['pino-loki', 'streamlog-loki', 'pino-otel', 'streamlog-otlp'];
const labels = {
  'pino-loki': 'pino + pino-loki',
  'streamlog-loki': 'streamlog `loki` preset',
  'pino-otel': 'pino + pino-opentelemetry-transport',
  'streamlog-otlp': 'streamlog `otlp` preset',
};
const scenarios = {
  steady: { label: 'no outage', during: async () => {} },
  outage: { label: '503 for 1.5 s', during: async (receiver) => receiver.outage(1_500) },
  restart: { label: 'backend restart (1 s down)', during: (receiver) => receiver.restart(1_000) },
};
const DISRUPT_AT_MS = 1_500;

const receiver = new Receiver();
const port = await receiver.listen();
const base = `http://127.0.0.1:${port}`;

async function run(library, scenario) {
  receiver.reset();
  const child = spawn(process.execPath, [client, library, base, String(count), String(perTick)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${base}/v1/logs` },
  });
  const result = { logMs: Number.NaN, cpuMs: Number.NaN, exited: false };
  let disrupted;
  let killer;
  let errors = '';
  child.stderr.on('data', (d) => (errors += d));
  let pending = '';
  child.stdout.on('data', (d) => {
    pending += d;
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines) {
      const [word, value] = line.split(' ');
      if (word === 'start') {
        disrupted = new Promise((resolve) => setTimeout(resolve, DISRUPT_AT_MS)).then(() =>
          scenarios[scenario].during(receiver),
        );
      } else if (word === 'logged') {
        result.logMs = Number(value);
        killer = setTimeout(() => child.kill('SIGKILL'), GRACE_MS);
      } else if (word === 'done') {
        result.cpuMs = Number(value);
        result.exited = true;
      }
    }
  });
  const code = await new Promise((resolve) => child.on('close', resolve));
  clearTimeout(killer);
  await disrupted;
  if (!result.exited && code !== null) process.stderr.write(`  ${library} exited ${code}: ${errors.slice(0, 500)}\n`);
  let arrivals = 0;
  for (const n of receiver.seen.values()) arrivals += n;
  const delivered = [...receiver.seen.keys()].filter((seq) => seq >= 0 && seq < count).length;
  return { ...result, delivered, lost: count - delivered, duplicated: arrivals - receiver.seen.size };
}

const results = {};
for (let round = 0; round < rounds; round++) {
  for (const scenario of Object.keys(scenarios)) {
    const shift = (round + Object.keys(scenarios).indexOf(scenario)) % clients.length;
    for (const library of [...clients.slice(shift), ...clients.slice(0, shift)]) {
      const key = `${library} ${scenario}`;
      results[key] ??= [];
      results[key].push(await run(library, scenario));
    }
  }
  process.stderr.write(`  round ${round + 1}/${rounds} done\n`);
}
receiver.close();

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
/** The median, and the range when the rounds differ. */
const spread = (values, digits = 0) => {
  const sorted = [...values].sort((a, b) => a - b);
  const m = median(values).toFixed(digits);
  const lo = sorted[0].toFixed(digits);
  const hi = sorted.at(-1).toFixed(digits);
  return lo === hi ? m : `${m} (${lo}–${hi})`;
};
console.log(
  `\n### ${count.toLocaleString('en')} records at ${(perTick * 100).toLocaleString('en')}/s to a receiver on 127.0.0.1 ` +
    `(median of ${rounds} rounds, range in brackets)\n`,
);
console.log('| client | scenario | delivered | lost | duplicated | in log calls (ms) | process CPU (ms) |');
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const scenario of Object.keys(scenarios)) {
  for (const library of clients) {
    const r = results[`${library} ${scenario}`];
    const exited = r.filter((x) => x.exited);
    const cpu = exited.length === r.length ? spread(r.map((x) => x.cpuMs)) : `(killed ${r.length - exited.length}×)`;
    console.log(
      `| ${labels[library]} | ${scenarios[scenario].label} | ${spread(r.map((x) => x.delivered))} | ` +
        `${spread(r.map((x) => x.lost))} | ${spread(r.map((x) => x.duplicated))} | ` +
        `${spread(r.map((x) => x.logMs))} | ${cpu} |`,
    );
  }
}
