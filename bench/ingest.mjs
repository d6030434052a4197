// log.stream() ingestion: pino's NDJSON lines piped into a streamlog logger writing a file,
// against a naive loop (split lines, JSON.parse, JSON.stringify, 64 KiB chunks, one
// fs.writeSync each). Paired rounds, a fresh process each, contenders rotated.
//   node bench/ingest.mjs [--rounds 7] [--count 1000000]
import { once } from 'node:events';
import { closeSync, openSync, writeSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { median, pairedRounds, printTimed, ratioText, roundsAndCount } from './paired-rounds.mjs';

const CHUNK = 64 * 1024;

/** The input: `count` lines as pino writes them, in 64 KiB buffers as a pipe would deliver them. */
function input(count) {
  const chunks = [];
  let text = '';
  for (let i = 0; i < count; i++) {
    text += `{"level":30,"time":${1_700_000_000_000 + i},"pid":4242,"hostname":"web-1","reqId":"r${i}","a":1,"msg":"hello world"}\n`;
    if (text.length >= CHUNK) {
      chunks.push(Buffer.from(text));
      text = '';
    }
  }
  if (text.length > 0) chunks.push(Buffer.from(text));
  return chunks;
}

const contenders = {
  async 'streamlog stream()'(chunks, path) {
    const { createLogger } = await import('../dist/esm/index.js');
    const log = createLogger({ exitFlush: false, transports: [{ type: 'file', path }] });
    const stream = log.stream();
    for (const chunk of chunks) if (!stream.write(chunk)) await once(stream, 'drain');
    stream.end();
    await once(stream, 'finish');
    await log.close();
  },
  async 'naive loop'(chunks, path) {
    const fd = openSync(path, 'a');
    let out = '';
    let rest = '';
    for (const chunk of chunks) {
      const text = rest + chunk.toString('utf8');
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        out += `${JSON.stringify(JSON.parse(text.slice(start, nl)))}\n`;
        if (out.length >= CHUNK) {
          writeSync(fd, out);
          out = '';
        }
        start = nl + 1;
      }
      rest = text.slice(start);
    }
    if (out.length > 0) writeSync(fd, out);
    closeSync(fd);
  },
};

const [role, name, path, countText] = process.argv.slice(2);
if (role === 'worker') {
  const chunks = input(Number(countText));
  await printTimed(() => contenders[name](chunks, path));
} else {
  const { rounds, count } = roundsAndCount(process.argv.slice(2), { rounds: 7, count: 1_000_000 });
  const names = Object.keys(contenders);
  const load = loadavg()[0];
  const results = pairedRounds(fileURLToPath(import.meta.url), names, count, rounds);
  const ratio = (key) => {
    const r = results['streamlog stream()'].map((m, i) => m[key] / results['naive loop'][i][key]);
    return ratioText(r);
  };
  process.stdout.write(
    `\n### log.stream() ingestion, ${count.toLocaleString('en')} lines to a file (${rounds} paired rounds, load ${load.toFixed(1)} → ${loadavg()[0].toFixed(1)})\n\n` +
      '| contender | wall ms | CPU ms | lines/s |\n|---|---:|---:|---:|\n',
  );
  for (const n of names) {
    const wall = median(results[n].map((m) => m.ns)) / 1e6;
    const cpu = median(results[n].map((m) => m.cpuUs)) / 1e3;
    process.stdout.write(`| ${n} | ${wall.toFixed(0)} | ${cpu.toFixed(0)} | ${Math.round(count / (wall / 1e3))} |\n`);
  }
  process.stdout.write(`\nstreamlog ÷ naive, paired: wall ${ratio('ns')}, CPU ${ratio('cpuUs')}\n`);
}
