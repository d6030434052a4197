// One client of the syslog benchmark: logs `count` records in a loop to a syslog target (TCP
// to the rsyslogd on `port`) or to a file, then closes the logger. Prints, as JSON, the
// logging loop's wall and CPU time and the whole run's (until close() resolved).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../dist/esm/index.js';

const [target, portArg, countArg, tag] = process.argv.slice(2);
const count = Number(countArg);
const dir = mkdtempSync(join(tmpdir(), 'streamlog-bench-syslog-'));
const transport =
  target === 'file'
    ? { type: 'file', path: join(dir, 'app.log') }
    : { type: 'syslog', protocol: 'tcp', port: Number(portArg), appName: tag, msgIdField: 'i', facility: 'local0' };
const log = createLogger({ name: 'bench', exitFlush: false, transports: [transport] });
const cpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const cpu0 = cpu();
const began = performance.now();
for (let i = 0; i < count; i++) log.info({ i, userId: 7, route: '/orders' }, 'shipped');
const loopMs = performance.now() - began;
const loopCpuMs = cpu() - cpu0;
await log.close();
const totalMs = performance.now() - began;
const totalCpuMs = cpu() - cpu0;
const stats = log.stats();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ loopMs, loopCpuMs, totalMs, totalCpuMs, delivered: stats.delivered })}\n`);
