import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { JsonLogsSerializer } from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import { createLogger, MemoryTransport } from '../../src/index.js';
import { httpPreset } from '../../src/transports/http/presets/index.js';

const TIME = 1732780800000;

/** What the OpenTelemetry SDK itself sends for the same two records. */
function sdkBody(): Record<string, unknown> {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'api', 'process.pid': 4242, 'host.name': 'web-1' }),
    processors: [new SimpleLogRecordProcessor(exporter)],
  });
  const logger = provider.getLogger('streamlog');
  logger.emit({
    timestamp: new Date(TIME),
    observedTimestamp: new Date(TIME),
    severityNumber: 9,
    severityText: 'INFO',
    body: 'hello',
    attributes: { userId: 7, tags: ['a', 'b'] },
  });
  logger.emit({
    timestamp: new Date(TIME + 1),
    observedTimestamp: new Date(TIME + 1),
    severityNumber: 17,
    severityText: 'ERROR',
    body: 'failed',
    attributes: { ratio: 0.5, ok: false },
  });
  return JSON.parse(new TextDecoder().decode(JsonLogsSerializer.serializeRequest(exporter.getFinishedLogRecords())!));
}

/** Drops what only one side fills (counts of dropped attributes). */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === 'droppedAttributesCount') continue;
    out[key] = normalise(item);
  }
  return out;
}

describe('the otlp preset against the OpenTelemetry JS packages', () => {
  it('sends what the OpenTelemetry SDK’s own JSON serializer sends for the same records', async () => {
    const memory = new MemoryTransport();
    const log = createLogger({
      exitFlush: false,
      name: 'api',
      base: { pid: 4242, hostname: 'web-1' },
      transports: [memory],
    });
    const stream = log.stream({ format: 'object' });
    stream.write({ level: 30, time: TIME, msg: 'hello', userId: 7, tags: ['a', 'b'] });
    stream.write({ level: 50, time: TIME + 1, msg: 'failed', ratio: 0.5, ok: false });
    stream.end();
    await new Promise((resolve) => stream.on('finish', resolve));
    const ours = JSON.parse(httpPreset('otlp')!({ line: (r) => r.json() }).body(memory.records()));
    expect(normalise(ours)).toEqual(normalise(sdkBody()));
  });
});
