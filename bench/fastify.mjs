// Per-request logging cost in a Fastify app: requests/s with streamlog and with pino as
// Fastify's logger, same routes, each server its own process, rounds interleaved.
//   node bench/fastify.mjs [--rounds 5] [--requests 20000] [--concurrency 32]
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const args = Object.fromEntries(argv.flatMap((arg, i) => (arg.startsWith('--') ? [[arg.slice(2), argv[i + 1]]] : [])));
const rounds = Number(args.rounds ?? 5);
const total = Number(args.requests ?? 20_000);
const concurrency = Number(args.concurrency ?? 32);
const server = fileURLToPath(new URL('./fastify-server.mjs', import.meta.url));
const libraries = ['streamlog', 'pino'];

async function start(library) {
  const child = spawn(process.execPath, [server, library], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
  return { child, port };
}

function get(agent, port, path) {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: '127.0.0.1', port, path, headers: { authorization: 'Bearer x' } }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
}

async function measure(library) {
  const { child, port } = await start(library);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  for (let i = 0; i < 500; i++) await get(agent, port, `/orders/${i}`); // warm-up
  let next = 0;
  const began = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await get(agent, port, `/orders/${next++}`);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  agent.destroy();
  child.kill();
  return total / seconds;
}

const results = Object.fromEntries(libraries.map((l) => [l, []]));
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? libraries : [...libraries].reverse();
  for (const library of order) results[library].push(await measure(library));
  process.stderr.write(`  round ${round + 1}/${rounds} done\n`);
}
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const ours = median(results.streamlog);
const theirs = median(results.pino);
console.log(
  `\n### Fastify, ${total.toLocaleString('en')} requests, ${concurrency} concurrent (median of ${rounds} rounds)\n`,
);
console.log('| logger | requests/s | streamlog / pino |');
console.log('|---|---:|---:|');
console.log(`| streamlog | ${ours.toFixed(0)} | ${(ours / theirs).toFixed(2)}x |`);
console.log(`| pino | ${theirs.toFixed(0)} | 1.00x |`);
