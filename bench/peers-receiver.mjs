// The receiver of bench/peers.mjs: Loki's push API (JSON, 204) and OTLP/HTTP logs (JSON or
// protobuf, 200 `{}`), gzip or plain, on one port. It reads the `seq` of every record it is
// sent and counts how often each arrived. `outage(ms)` answers 503 for that long (bodies still
// read); `restart(ms)` closes the server and every connection and listens again on the same
// port after that long, as a backend restarting does.
import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** Calls `visit(field, wireType, value)` for each field of a protobuf message in buf[start, end). */
function fields(buf, start, end, visit) {
  let at = start;
  const varint = () => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = buf[at++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  };
  while (at < end) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) {
      visit(field, wire, varint());
      continue;
    }
    const length = wire === 1 ? 8 : wire === 5 ? 4 : wire === 2 ? varint() : -1;
    if (length < 0) throw new Error(`protobuf wire type ${wire}`);
    const range = [at, at + length];
    at += length;
    visit(field, wire, range);
  }
}

/** The `seq` attribute of each LogRecord in an ExportLogsServiceRequest (protobuf). */
function protobufSeqs(buf) {
  const seqs = [];
  const within = (range, field, visit) =>
    fields(buf, range[0], range[1], (f, wire, value) => f === field && wire === 2 && visit(value));
  within([0, buf.length], 1, (resourceLogs) =>
    within(resourceLogs, 2, (scopeLogs) =>
      within(scopeLogs, 2, (record) =>
        within(record, 6, (keyValue) => {
          let key = '';
          let seq;
          fields(buf, keyValue[0], keyValue[1], (f, _wire, value) => {
            if (f === 1) key = buf.toString('utf8', value[0], value[1]);
            else if (f === 2)
              fields(buf, value[0], value[1], (g, wire, any) => {
                if (g === 3 && wire === 0) seq = any;
                else if (g === 4 && wire === 1) seq = buf.readDoubleLE(any[0]);
              });
          });
          if (key === 'seq' && seq !== undefined) seqs.push(seq);
        }),
      ),
    ),
  );
  return seqs;
}

function otlpJsonSeqs(body) {
  const seqs = [];
  for (const r of body.resourceLogs ?? [])
    for (const s of r.scopeLogs ?? [])
      for (const record of s.logRecords ?? []) {
        const seq = record.attributes?.find((a) => a.key === 'seq')?.value;
        if (seq !== undefined) seqs.push(Number(seq.intValue ?? seq.doubleValue));
      }
  return seqs;
}

function lokiSeqs(body) {
  const seqs = [];
  for (const stream of body.streams ?? []) for (const entry of stream.values ?? []) seqs.push(JSON.parse(entry[1]).seq);
  return seqs;
}

export class Receiver {
  /** How many times each seq arrived. */
  seen = new Map();
  requests = 0;
  refusedUntil = 0;
  unreadable = 0;

  constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  async listen(port = 0) {
    await new Promise((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = this.server.address().port;
    return this.port;
  }

  reset() {
    this.seen = new Map();
    this.requests = 0;
    this.refusedUntil = 0;
    this.unreadable = 0;
  }

  outage(ms) {
    this.refusedUntil = performance.now() + ms;
  }

  async restart(ms) {
    const old = this.server;
    old.close();
    old.closeAllConnections();
    await new Promise((resolve) => setTimeout(resolve, ms));
    this.server = createServer((req, res) => this.handle(req, res));
    await this.listen(this.port);
  }

  close() {
    this.server.close();
    this.server.closeAllConnections();
  }

  handle(req, res) {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      this.requests++;
      if (performance.now() < this.refusedUntil) {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('unavailable');
        return;
      }
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      const loki = req.url.startsWith('/loki/');
      const protobuf = String(req.headers['content-type']).includes('protobuf');
      let seqs;
      try {
        if (loki) seqs = lokiSeqs(JSON.parse(raw.toString('utf8')));
        else if (protobuf) seqs = protobufSeqs(raw);
        else seqs = otlpJsonSeqs(JSON.parse(raw.toString('utf8')));
      } catch {
        this.unreadable++;
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end('unreadable');
        return;
      }
      for (const seq of seqs) this.seen.set(seq, (this.seen.get(seq) ?? 0) + 1);
      if (loki) {
        res.writeHead(204);
        res.end();
      } else if (protobuf) {
        // An empty ExportLogsServiceResponse: full success.
        res.writeHead(200, { 'content-type': 'application/x-protobuf' });
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      }
    });
  }
}
