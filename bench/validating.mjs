// The validating transport beside the same logger without it: 100,000 records to /dev/null,
// each measurement in a fresh process, contenders rotated each round, medians and ratios.
//   node bench/validating.mjs [--rounds 7] [--count 100000]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Ten keywords: type, required, properties, minLength, maxLength, pattern, enum, minimum, format, maxItems. */
const schema = {
  type: 'object',
  required: ['userId', 'requestId', 'action', 'msg'],
  properties: {
    userId: { type: 'integer', minimum: 1 },
    requestId: { type: 'string', format: 'uuid' },
    action: { enum: ['checkout', 'refund', 'view'] },
    sku: { type: 'string', minLength: 3, maxLength: 32, pattern: '^[A-Z]{3}-\\d+$' },
    tags: { type: 'array', maxItems: 8, items: { type: 'string' } },
    msg: { type: 'string' },
  },
};

const target = { type: 'file', path: '/dev/null' };
const contenders = {
  'no validation': [target],
  'validating (JSON Schema)': [{ type: 'validating', schema, onInvalid: 'error', target }],
  'validating (rules)': [
    { type: 'validating', rules: { userId: 'integer', requestId: 'string', action: 'string' }, target },
  ],
};

async function worker(name, count) {
  const { createLogger } = await import('../dist/esm/index.js');
  const log = createLogger({ level: 'info', exitFlush: false, transports: contenders[name] });
  const actions = ['checkout', 'refund', 'view'];
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 1; i <= count; i++) {
    log.info(
      {
        userId: i,
        requestId: `0f8fad5b-d9cb-469f-a165-${String(70000000000 + i).padStart(12, '0')}`,
        action: actions[i % 3],
        sku: `SKU-${i}`,
        tags: ['web', 'eu'],
      },
      'order event',
    );
  }
  await log.close();
  const wall = Number(process.hrtime.bigint() - start);
  const used = process.cpuUsage(cpu);
  const stats = log.stats();
  if (stats.failed !== 0 || stats.dropped !== 0) throw new Error(`records lost: ${JSON.stringify(stats)}`);
  process.stdout.write(JSON.stringify({ wall, cpu: (used.user + used.system) * 1000 }));
}

const argv = process.argv.slice(2);
if (argv[0] === '--worker') {
  await worker(argv[1], Number(argv[2]));
} else {
  const args = Object.fromEntries(argv.flatMap((a, i) => (a.startsWith('--') ? [[a.slice(2), argv[i + 1]]] : [])));
  const rounds = Number(args.rounds ?? 7);
  const count = Number(args.count ?? 100_000);
  const names = Object.keys(contenders);
  const self = fileURLToPath(import.meta.url);
  const results = Object.fromEntries(names.map((n) => [n, { wall: [], cpu: [] }]));
  for (let round = 0; round < rounds; round++) {
    for (const name of names.map((_, i) => names[(i + round) % names.length])) {
      const out = execFileSync(process.execPath, [self, '--worker', name, String(count)], { encoding: 'utf8' });
      const { wall, cpu } = JSON.parse(out);
      results[name].wall.push(wall);
      results[name].cpu.push(cpu);
    }
    process.stderr.write(`  round ${round + 1}/${rounds}\n`);
  }
  const median = (v) => {
    const s = [...v].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  const base = results['no validation'];
  process.stdout.write(`\n### ${count.toLocaleString('en')} records to /dev/null (median of ${rounds} rounds)\n\n`);
  process.stdout.write('| contender | wall ms | CPU ms | wall / none | CPU / none |\n|---|---:|---:|---:|---:|\n');
  for (const name of names) {
    const { wall, cpu } = results[name];
    const w = median(wall);
    const c = median(cpu);
    const cells = [(w / 1e6).toFixed(1), (c / 1e6).toFixed(1)];
    // Ratios per round (paired: same round, adjacent processes), then their median.
    const wr = median(wall.map((x, i) => x / base.wall[i])).toFixed(2);
    const cr = median(cpu.map((x, i) => x / base.cpu[i])).toFixed(2);
    process.stdout.write(`| ${name} | ${cells.join(' | ')} | ${wr}x | ${cr}x |\n`);
  }
}
