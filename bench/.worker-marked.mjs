import { writeSync as __w } from "node:fs"; function require_marker() { __w(1, "=====TIMED START\n"); }
// One measurement in a fresh process: library × workload × destination, N records.
// Prints wall time (ns) and CPU time (µs, user + system) from the first timed record until
// the library says everything is written, and the peak RSS. With BENCH_ALLOC=1 it also
// counts the bytes allocated on the JS heap during the logging loop (from the heap size
// before and after each garbage collection), which costs a little time: run it apart.
import { GCProfiler, getHeapStatistics } from 'node:v8';
import { libraries } from './libraries.mjs';
import { workloads } from './workloads.mjs';

const [library, workload, path, countText, warmUpText] = process.argv.slice(2);
const count = Number(countText);
const countAlloc = process.env.BENCH_ALLOC === '1';
const { log, done } = await libraries[library](path);
const logOne = workloads[workload](log);

// The same for everyone. V8 compiles a logger's hot path on background threads while it runs:
// what is not compiled by the end of the warm-up is timed (CPU time counts every thread).
const warmUp = warmUpText === undefined ? Math.min(2000, count / 10) : Number(warmUpText);
for (let i = 0; i < warmUp; i++) logOne();

const profiler = countAlloc ? new GCProfiler() : undefined;
profiler?.start();
const usedBefore = countAlloc ? getHeapStatistics().used_heap_size : 0;
require_marker();
const cpuStart = process.cpuUsage();
const start = process.hrtime.bigint();
for (let i = 0; i < count; i++) logOne();
const usedAfter = countAlloc ? getHeapStatistics().used_heap_size : 0;
const gcs = profiler?.stop();
__w(1, "=====LOOP END\n");
await done(workload === 'disabled' ? 0 : warmUp + count);
const ns = Number(process.hrtime.bigint() - start);
const cpu = process.cpuUsage(cpuStart);

let allocBytes;
if (countAlloc) {
  // What the heap grew by between collections is what was allocated in that stretch.
  let last = usedBefore;
  allocBytes = 0;
  for (const gc of gcs.statistics) {
    allocBytes += gc.beforeGC.heapStatistics.usedHeapSize - last;
    last = gc.afterGC.heapStatistics.usedHeapSize;
  }
  allocBytes += usedAfter - last;
}
const result = { ns, cpuUs: cpu.user + cpu.system, maxRssKiB: process.resourceUsage().maxRSS, allocBytes };
process.stdout.write(JSON.stringify(result) + '\n');
