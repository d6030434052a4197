// The floor: what writing the same NDJSON lines costs with nothing but the work itself.
// Each line is built by concatenation (JSON.stringify for values), lines gather in a string
// and go out in ~64 KiB chunks, one fs.writeSync each. No levels, redaction, delivery
// accounting or failure handling: a lower bound for a logger, not a logger.
import { closeSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

const CHUNK = 64 * 1024;

class Sink {
  text = '';
  constructor(fd) {
    this.fd = fd;
  }
  add(line) {
    this.text += line;
    if (this.text.length >= CHUNK) this.flush();
  }
  flush() {
    if (this.text.length > 0) writeSync(this.fd, this.text);
    this.text = '';
  }
}

function fieldsOf(object) {
  const json = JSON.stringify(object);
  return json.length > 2 ? `,${json.slice(1, -1)}` : '';
}

/** printf as the workloads use it: %s %d %j and extra arguments appended. */
function format(template, args, start) {
  let out = '';
  let last = 0;
  let next = start;
  for (let i = 0; i < template.length - 1; i++) {
    if (template.charCodeAt(i) !== 37 || next >= args.length) continue;
    const code = template[i + 1];
    const arg = args[next];
    let text;
    if (code === 's') text = String(arg);
    else if (code === 'd') text = String(Number(arg));
    else if (code === 'j') text = JSON.stringify(arg);
    else continue;
    out += template.slice(last, i) + text;
    last = i + 2;
    next++;
    i++;
  }
  out += template.slice(last);
  for (; next < args.length; next++) {
    const arg = args[next];
    out += ` ${typeof arg === 'object' ? JSON.stringify(arg) : String(arg)}`;
  }
  return out;
}

class FloorLogger {
  constructor(sink, head) {
    this.sink = sink;
    this.head = head;
  }
  info(a, b) {
    let fields = '';
    let msg;
    if (typeof a === 'string') msg = arguments.length > 1 ? format(a, arguments, 1) : a;
    else {
      fields = fieldsOf(a);
      if (typeof b === 'string') msg = arguments.length > 2 ? format(b, arguments, 2) : b;
    }
    const tail = msg === undefined ? '}\n' : `,"msg":${JSON.stringify(msg)}}\n`;
    this.sink.add(`{"level":30,"time":${Date.now()}${this.head}${fields}${tail}`);
  }
  debug() {}
  child(bindings) {
    return new FloorLogger(this.sink, this.head + fieldsOf(bindings));
  }
}

export function floorLogger(path) {
  const fd = openSync(path, 'a');
  const sink = new Sink(fd);
  const log = new FloorLogger(sink, `,"pid":${process.pid},"hostname":${JSON.stringify(hostname())}`);
  return {
    log,
    done: async () => {
      sink.flush();
      closeSync(fd);
    },
  };
}
