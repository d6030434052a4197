// One measurement in a fresh process: library × workload × destination, N records.
import { libraries } from './libraries.mjs';
import { workloads } from './workloads.mjs';

const [library, workload, path, countText] = process.argv.slice(2);
const count = Number(countText);
const { log, done } = await libraries[library](path);
const logOne = workloads[workload](log);

const warmUp = Math.min(2000, count / 10);
for (let i = 0; i < warmUp; i++) logOne(); // warm-up, same for everyone
const start = process.hrtime.bigint();
for (let i = 0; i < count; i++) logOne();
await done(workload === 'disabled' ? 0 : warmUp + count);
const ns = Number(process.hrtime.bigint() - start);
process.stdout.write(JSON.stringify({ ns, maxRssKiB: process.resourceUsage().maxRSS }) + '\n');
