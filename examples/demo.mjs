// The streamlog demo: one JSON config, a pretty console and an in-memory ring, the
// everyday calls, then what the memory transport kept and the logger's own counters.
import { fileURLToPath } from 'node:url';
import { createLogger, withContext } from '../dist/esm/index.js';

const config = fileURLToPath(new URL('./streamlog.json', import.meta.url));
const log = createLogger(config);

log.info('service starting on port %d', 8080);
log.debug({ features: ['search', 'billing'] }, 'feature flags loaded');

const request = log.child({ reqId: 'req-42' });
request.info(
  { req: { method: 'POST', url: '/login', headers: { authorization: 'Bearer s3cret' } } },
  'request received',
);
request.warn({ user: 'ann', password: 'hunter2' }, 'password is about to expire');

await withContext({ traceId: 'trace-7' }, async () => {
  await new Promise((resolve) => setTimeout(resolve, 5));
  log.info('context fields follow the request across awaits');
});

const cause = new Error('connection reset by peer');
request.error(new Error('payment provider unavailable', { cause }), 'charge failed');
log.info(
  'a message with a forged line\n{"level":60,"msg":"fake"} and \u001b[31mcolour codes\u001b[0m stays on one line',
);

await log.flush();
const recent = log.transports.find((t) => t.id === 'recent');
process.stdout.write(`\n--- the memory transport kept ${recent.records().length} records; as logfmt: ---\n`);
for (const line of recent.lines()) process.stdout.write(line);
const stats = log.stats();
process.stdout.write(`\n--- stats: logged ${stats.logged}, delivered ${stats.delivered}, failed ${stats.failed} ---\n`);
await log.close();
