// One client of the OTLP benchmark: logs `count` records in a loop through the library named
// on the command line to the receiver URL, then waits until it has shipped everything.
// With `yieldEvery` above 0 the loop lets the event loop turn after that many records, as
// a service does between requests. Prints the logging loop's duration in ms, and after the
// client has shipped everything, `cpu <ms>`: the process's user + system CPU time, and
// `faults <n>`: its minor page faults (first touches of fresh memory: on a sandboxed host each
// costs microseconds, so a client's memory shows in its CPU time).
// `streamlog-floor` sends, for each batch, a body built once for the first batch of its size:
// everything else (logging, batching, sending, settling, the receiver's reading) is real,
// so it shows how fast shipping can get when encoding costs nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, registerHttpPreset } from '../dist/esm/index.js';
import { otlpPreset } from '../dist/esm/transports/http/presets/otlp.js';

const [library, url, countArg, yieldArg] = process.argv.slice(2);
const count = Number(countArg);
const yieldEvery = Number(yieldArg ?? 0);
const turn = () => new Promise((resolve) => setImmediate(resolve));
const record = (i) => ({ i, userId: 7, route: '/orders' });

if (library.startsWith('otel')) {
  const { LoggerProvider, BatchLogRecordProcessor } = await import('@opentelemetry/sdk-logs');
  const { OTLPLogExporter } = await import('@opentelemetry/exporter-logs-otlp-http');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const tuned =
    library === 'otel-tuned' ? { maxQueueSize: count, maxExportBatchSize: 1000, scheduledDelayMillis: 200 } : {};
  // Its defaults drop what overflows a queue of 2,048; tuned, the queue holds the whole burst.
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench' }),
    // Tuned, the exporter also takes as many concurrent exports as the flush makes (its limit is 30).
    processors: [
      new BatchLogRecordProcessor(
        new OTLPLogExporter(library === 'otel-tuned' ? { url, concurrencyLimit: count } : { url }),
        tuned,
      ),
    ],
  });
  const logger = provider.getLogger('bench');
  const began = performance.now();
  for (let i = 0; i < count; i++) {
    logger.emit({ severityNumber: 9, severityText: 'INFO', body: 'shipped', attributes: record(i) });
    if (yieldEvery > 0 && i % yieldEvery === yieldEvery - 1) await turn();
  }
  process.stdout.write(`${performance.now() - began}\n`);
  await provider.forceFlush();
  await provider.shutdown();
} else {
  const bodies = new Map();
  // The preset's own way of building a body (bytes when it has bodyUtf8), built once per batch size.
  const build = otlpPreset.bodyUtf8 ?? otlpPreset.body;
  registerHttpPreset('otlp-prebuilt', () => ({
    ...otlpPreset,
    [otlpPreset.bodyUtf8 ? 'bodyUtf8' : 'body'](records) {
      let body = bodies.get(records.length);
      if (body === undefined) {
        // A copy: the preset's own body is in a buffer lent to it, which the transport gives back.
        body = Buffer.from(build(records));
        bodies.set(records.length, body);
      }
      return body;
    },
  }));
  const folder = library === 'streamlog-file' ? mkdtempSync(join(tmpdir(), 'streamlog-bench-otlp-')) : undefined;
  const target =
    folder !== undefined
      ? { type: 'file', path: join(folder, 'app.log') }
      : { type: 'http', preset: library === 'streamlog-floor' ? 'otlp-prebuilt' : 'otlp', url };
  const log = createLogger({ name: 'bench', exitFlush: false, transports: [target] });
  const began = performance.now();
  for (let i = 0; i < count; i++) {
    log.info(record(i), 'shipped');
    if (yieldEvery > 0 && i % yieldEvery === yieldEvery - 1) await turn();
  }
  process.stdout.write(`${performance.now() - began}\n`);
  await log.close();
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
}
const usage = process.resourceUsage();
process.stdout.write(`cpu ${(usage.userCPUTime + usage.systemCPUTime) / 1000}\nfaults ${usage.minorPageFault}\n`);
