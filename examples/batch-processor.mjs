// Log records written to a "table" in batches by an async processor: the batch writer of
// the tutorial, on BatchTransport. Run `npm run build` first, then `node examples/batch-processor.mjs`.
import { appendFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchTransport, createLogger } from '../dist/esm/index.js';

const table = join(await mkdtemp(join(tmpdir(), 'streamlog-batch-')), 'payments.jsonl');

let calls = 0;
async function insertPayments(records) {
  // A flaky database, deterministically: every third call fails before writing anything.
  // Throwing hands the whole batch back for another attempt after a backoff.
  if (++calls % 3 === 0) throw new Error(`connection reset (call ${calls})`);
  const rows = [];
  const failed = [];
  records.forEach((record, index) => {
    const { orderId, amount } = record.view();
    // A bad row would be refused on every attempt: it fails alone, and the rest still go in.
    if (amount < 0) failed.push([index, new Error(`order ${orderId}: negative amount ${amount}`)]);
    else rows.push(`${JSON.stringify({ orderId, amount, time: record.time })}\n`);
  });
  // One write per batch is the point of batching: a round trip per record would not keep up.
  await appendFile(table, rows.join(''));
  return { failed };
}

const transport = new BatchTransport(insertPayments, {
  batch: { maxRecords: 25, intervalMs: 50 },
  // Short backoffs for a demo; the defaults (500 ms doubling to 30 s) suit a real database.
  retry: { maxAttempts: 10, baseMs: 50, maxMs: 500 },
});
transport.on('batchProcessed', ({ records, attempt, durationMs, outcome }) => {
  console.log(`batch of ${records}, attempt ${attempt}: ${outcome} (${durationMs} ms)`);
});
const rejected = [];
transport.on('itemFailed', (record, reason) => {
  rejected.push(record.view().orderId);
  console.log(`not written: ${reason.message}`);
});

const log = createLogger({ base: null, transports: [transport] });
for (let orderId = 0; orderId < 100; orderId++) {
  log.info({ orderId, amount: orderId % 15 === 7 ? -orderId : 10 + orderId }, 'payment');
}
// close() waits until every record is written or has failed: nothing is lost on the way out.
await log.close();

const s = log.stats();
const t = transport.stats();
console.log(
  JSON.stringify({
    logged: s.logged,
    delivered: s.delivered,
    failed: s.failed,
    pending: s.pending,
    batches: t.batches,
    retries: t.retries,
    averageBatchSize: t.averageBatchSize,
    averageBatchMs: t.averageBatchMs,
    rejected,
    table,
  }),
);
