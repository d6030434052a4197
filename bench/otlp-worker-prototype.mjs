// An experiment, not a transport: the main thread hands each 1,000 JSON lines to a worker
// thread, which encodes them as OTLP (with the otlp preset's own body code) and sends them,
// two requests in flight. No retries, no spool, no exit handling: its best case. The router's window is raised so that every record can be handed
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
  const { otlpBodyBytes } = await import('../dist/esm/transports/http/presets/otlp-body.js');
  const { LinePicker } = await import('../dist/esm/transports/http/presets/line-entries.js');
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });
  // The preset reads a record's line, level, label, time and message: the last two picked from the line.
  const picker = new LinePicker(['"time"', '"msg"']);

  const body = (chunk) => {
    const records = [];
    for (let start = 0, end = chunk.indexOf('\n'); end >= 0; start = end + 1, end = chunk.indexOf('\n', start)) {
      const line = chunk.slice(start, end + 1);
      const [time, msg] = picker.pick(line);
      records.push({
        level: 30,
        label: 'info',
        time: Number(time),
        msg: JSON.parse(msg),
        messageKey: 'msg',
        json: () => line,
      });
    }
    return { count: records.length, payload: otlpBodyBytes(records) };
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
