// The otlp preset's encoding alone: 200,000 records made once, then encoded into 200 bodies
// of 1,000, five times, for three kinds of logger: one call site on one logger (`flat`), a
// child logger per two records (`children`, a child per request), and keys made from data
// (`dynamic`). Prints each round's time in ms and the median.
//   npm run build && node bench/otlp-encode.mjs
import { createLogger, MemoryTransport } from '../dist/esm/index.js';
import { otlpPreset } from '../dist/esm/transports/http/presets/otlp.js';

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

console.log('| logger | rounds (ms) | median (ms) |');
console.log('|---|---|---:|');
for (const kind of ['flat', 'children', 'dynamic']) {
  const made = records(kind);
  const times = [];
  for (let round = 0; round < 5; round++) {
    const began = performance.now();
    for (let at = 0; at < count; at += batch) otlpPreset.body(made.slice(at, at + batch));
    times.push(performance.now() - began);
  }
  const median = [...times].sort((a, b) => a - b)[times.length >> 1];
  console.log(`| ${kind} | ${times.map((t) => t.toFixed(0)).join(', ')} | ${median.toFixed(0)} |`);
}
