// One measurement in a fresh process: library × workload × destination, N records.
import { libraries } from './libraries.mjs';
import { workloads } from './workloads.mjs';

const [library, workload, path, countText] = process.argv.slice(2);
const count = Number(countText);
const { log, done } = await libraries[library](path);
const logOne = workloads[workload](log);

for (let i = 0; i < Math.min(2000, count / 10); i++) logOne(); // warm-up, same for everyone
const start = process.hrtime.bigint();
for (let i = 0; i < count; i++) logOne();
await done();
const ns = Number(process.hrtime.bigint() - start);
process.stdout.write(JSON.stringify({ ns, rss: process.memoryUsage().rss }) + '\n');
