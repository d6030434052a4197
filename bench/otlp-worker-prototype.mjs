// An experiment, not a transport: the main thread hands each 1,000 JSON lines to a worker
// thread, which encodes them as OTLP (entry by entry, the same reader and attribute code as
// the otlp preset) and sends them, two requests in flight. No retries, no spool, no exit
// handling: its best case. The router's window is raised so that every record can be handed
// over while the logging loop runs. Run by `npm run bench:otlp -- --prototype`.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

if (isMainThread) {
  const { createLogger, Transport } = await import('../dist/esm/index.js');
  const [url, countArg] = process.argv.slice(2);
  const count = Number(countArg);
  const worker = new Worker(new URL(import.meta.url), { workerData: { url } });

  class WorkerTransport extends Transport {
    type = 'worker-prototype';
    lines = [];
    handle(record) {
      this.lines.push(record.json());
      if (this.lines.length === 1) setImmediate(() => this.ship());
      if (this.lines.length === 1000) this.ship();
    }
    ship() {
      if (this.lines.length === 0) return;
      worker.postMessage(this.lines.join(''));
      this.lines = [];
    }
  }

  const transport = new WorkerTransport();
  let delivered = 0;
  const all = new Promise((resolve) =>
    worker.on('message', (n) => {
      transport.settleDelivered(n);
      delivered += n;
      if (delivered === count) resolve();
    }),
  );
  const target = { transport, maxQueue: { maxRecords: 2 * count, maxBytes: 2 ** 40 } };
  const log = createLogger({ name: 'bench', exitFlush: false, transports: [target] });
  const began = performance.now();
  for (let i = 0; i < count; i++) log.info({ i, userId: 7, route: '/orders' }, 'shipped');
  process.stdout.write(`${performance.now() - began}\n`);
  transport.ship();
  await all;
  worker.postMessage(null);
  await log.close();
} else {
  const { Agent, request } = await import('node:http');
  const { LineEntries } = await import('../dist/esm/transports/http/presets/line-entries.js');
  const { AttributeKey } = await import('../dist/esm/transports/http/presets/otlp-values.js');
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });
  const skip = new Set(['"level"', '"time"', '"pid"', '"hostname"', '"name"', '"msg"']);
  const keys = new Map();
  const reader = new LineEntries();

  const body = (chunk) => {
    const out = [];
    for (let start = 0, end = chunk.indexOf('\n'); end >= 0; start = end + 1, end = chunk.indexOf('\n', start)) {
      reader.read(chunk.slice(start, end));
      let attributes = '';
      let time = '';
      let msg = '""';
      while (reader.next()) {
        const key = reader.key;
        if (key === '"time"') time = reader.value;
        else if (key === '"msg"') msg = reader.value;
        else if (!skip.has(key)) {
          let attribute = keys.get(key);
          if (attribute === undefined) {
            attribute = new AttributeKey(key);
            keys.set(key, attribute);
          }
          attributes += (attributes === '' ? '' : ',') + attribute.entry(reader.value);
        }
      }
      out.push(
        `{"timeUnixNano":"${time}000000","observedTimeUnixNano":"${time}000000","severityNumber":9,` +
          `"severityText":"INFO","body":{"stringValue":${msg}},"attributes":[${attributes}]}`,
      );
    }
    const json =
      '{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"bench"}}]},' +
      `"scopeLogs":[{"scope":{"name":"streamlog"},"logRecords":[${out.join(',')}]}]}]}`;
    return { count: out.length, payload: Buffer.from(json) };
  };

  const queue = [];
  let inFlight = 0;
  const pump = () => {
    while (inFlight < 2 && queue.length > 0) {
      const { count, payload } = body(queue.shift());
      inFlight++;
      const headers = { 'content-type': 'application/json', 'content-length': payload.length };
      const req = request(workerData.url, { method: 'POST', agent, headers }, (res) => {
        res.resume();
        res.on('end', () => {
          inFlight--;
          parentPort.postMessage(count);
          pump();
        });
      });
      req.end(payload);
    }
  };
  parentPort.on('message', (chunk) => {
    if (chunk === null) {
      agent.destroy();
      parentPort.close();
      return;
    }
    queue.push(chunk);
    pump();
  });
}
