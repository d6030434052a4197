// The http presets' encoding alone: 200,000 records made once, then encoded into 200 bodies
// of 1,000, five times, up to the bytes sent (a preset's bodyUtf8, or its body encoded as
// UTF-8). First the otlp preset for three kinds of logger: one call site on one logger
// (`flat`), a child logger per two records (`children`, a child per request), and keys made
// from data (`dynamic`); then every preset on the flat logger. Prints each round's
// time in ms and the median.
//   npm run build && node bench/encode.mjs
import { createLogger, MemoryTransport } from '../dist/esm/index.js';
import { httpPreset } from '../dist/esm/transports/http/presets/index.js';

const count = 200_000;
const batch = 1000;

function records(kind) {
  const memory = new MemoryTransport({ capacity: count });
  const log = createLogger({ name: 'bench', exitFlush: false, transports: [memory] });
  let child = log;
  for (let i = 0; i < count; i++) {
    if (kind === 'children' && i % 2 === 0) child = log.child({ reqId: `r${i}` });
    if (kind === 'dynamic') log.info({ [`k${i % 5000}`]: i, userId: 7 }, 'shipped');
    else child.info({ i, userId: 7, route: '/orders' }, 'shipped');
  }
  return memory.records();
}

function time(preset, made) {
  const times = [];
  for (let round = 0; round < 5; round++) {
    const began = performance.now();
    for (let at = 0; at < count; at += batch) {
      // As the transport sends it: the preset's bytes, or its string encoded as UTF-8.
      const records = made.slice(at, at + batch);
      // Its memory given back as the transport does once the socket has the body.
      if (preset.bodyUtf8) preset.release?.(preset.bodyUtf8(records));
      else Buffer.from(preset.body(records));
    }
    times.push(performance.now() - began);
  }
  const median = [...times].sort((a, b) => a - b)[times.length >> 1];
  return `${times.map((t) => t.toFixed(0)).join(', ')} | ${median.toFixed(0)}`;
}

const line = (record) => record.json();
console.log('\n### otlp, by kind of logger\n\n| logger | rounds (ms) | median (ms) |\n|---|---|---:|');
for (const kind of ['flat', 'children', 'dynamic']) {
  console.log(`| ${kind} | ${time(httpPreset('otlp')({ line }), records(kind))} |`);
}
console.log(
  '\n### every preset, one logger and one call site\n\n| preset | rounds (ms) | median (ms) |\n|---|---|---:|',
);
const flat = records('flat');
const presets = [
  ['ndjson', {}],
  ['json', {}],
  ['otlp', {}],
  ['loki', { labels: ['name'], metadata: ['userId'] }],
  ['elasticsearch', {}],
  ['clickhouse', { table: 'logs' }],
  ['clickhouse, columns', { table: 'logs', columns: { ts: 'time', message: 'msg', user: 'userId' } }],
];
for (const [name, options] of presets) {
  console.log(`| ${name} | ${time(httpPreset(name.split(',')[0])({ line, ...options }), flat)} |`);
}
