// The streamlog demo: a small orders service (orders-service.mjs) logs through one config,
// examples/streamlog.json: a pretty console, a rotating JSON file, a validating target and
// an http target shipping to a receiver this script starts, under the majority strategy.
// Halfway through, the receiver stops for a moment: the http target retries and catches up.
// It ends with each target's counts and where the files are. Nothing to install.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../dist/esm/index.js';
import { startReceiver } from './demo-receiver.mjs';
import { legacyClientCall, serveTraffic } from './orders-service.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const say = async (text) => {
  await pause(0); // the console target writes once per tick: let it finish its lines first
  process.stdout.write(`\n\u2500\u2500 ${text}\n`);
};

const receiver = await startReceiver();
process.env.DEMO_RECEIVER_URL = receiver.url;
const log = createLogger(join(here, 'streamlog.json'));
const central = log.transports.find((t) => t.id === 'central');
let failedAttempts = 0;
central.on('batchProcessed', ({ outcome }) => {
  if (outcome !== 'delivered') failedAttempts++;
});

await say(`orders service up; shipping to the receiver at ${receiver.url}`);
log.info({ port: 8080, strategy: log.stats().strategy }, 'orders service listening on port %d', 8080);
log.debug({ features: ['search', 'billing'] }, 'feature flags loaded'); // to the file only (console: info)
await serveTraffic(log, 1, 8);

await say('a legacy client sends userId as a number: the events target refuses it, 3 of 4 targets take it');
legacyClientCall(log);
await pause(300);

await say('the receiver stops for 1.5 s: the http target keeps the records and retries');
await receiver.stop();
await serveTraffic(log, 9, 8);
await pause(1500);
const heldWhileDown = central.stats().pending;
await receiver.start();
await say(`the receiver is back: ${heldWhileDown} records held for it, ${failedAttempts} failed attempts so far`);
await serveTraffic(log, 17, 4);
await log.flush();

const stats = log.stats();
const rows = [['target', 'type', 'delivered', 'failed', 'dropped', 'retries']];
for (const t of stats.targets) {
  rows.push([t.id, t.type, t.delivered, t.failed, t.dropped, t.retries ?? '-'].map(String));
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
await say('per target');
for (const row of rows) {
  const cells = row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])));
  process.stdout.write(`   ${cells.join('  ')}\n`);
}
process.stdout.write(
  `   ${stats.logged} records logged: ${stats.delivered} delivered under the ${stats.strategy} strategy, ` +
    `${stats.failed} failed, ${stats.dropped} dropped; the receiver holds ${receiver.records}\n`,
);

await log.close();
await receiver.close();
const fileTarget = log.transports.find((t) => t.id === 'app-log');
const folder = join(fileTarget.path, '..');
await say(`the files, in ${relative(process.cwd(), folder) || '.'}/`);
for (const name of readdirSync(folder).sort()) {
  process.stdout.write(`   ${name.padEnd(22)} ${String(statSync(join(folder, name)).size).padStart(7)} bytes\n`);
}
process.stdout.write(
  '\n   read them back: npx streamlog pretty < ' + join(relative(process.cwd(), folder), 'app.log') + '\n',
);
