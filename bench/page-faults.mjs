// What a page of fresh memory costs on this host the first time it is written: 100 MB of
// new buffers touched a page at a time, the process's minor page faults counted around it.
// On a sandboxed VM a fault can cost 10 µs or more, and then how much fresh memory a
// logger touches (strings that wait, request bodies, a young generation grown) shows in its
// CPU time more than the work it does.
//   node bench/page-faults.mjs
const MB = 1024 * 1024;
const rounds = [];
for (let round = 0; round < 3; round++) {
  const faults = process.resourceUsage().minorPageFault;
  const cpu = process.cpuUsage();
  const kept = [];
  for (let i = 0; i < 100; i++) {
    const buffer = Buffer.allocUnsafeSlow(MB);
    for (let at = 0; at < buffer.length; at += 4096) buffer[at] = 1;
    kept.push(buffer);
  }
  const used = process.cpuUsage(cpu);
  const count = process.resourceUsage().minorPageFault - faults;
  rounds.push({ count, us: (used.user + used.system) / count });
}
console.log('| round | page faults | CPU µs per fault |\n|---:|---:|---:|');
for (const [i, r] of rounds.entries()) console.log(`| ${i + 1} | ${r.count} | ${r.us.toFixed(2)} |`);
