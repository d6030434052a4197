import { Writable } from 'node:stream';
import { createLogger, MemoryTransport, type LoggerOptions, type Logger } from '../src/index.js';

/** A byte sink that keeps everything written to it, like a terminal or a file would. */
export class Collector extends Writable {
  chunks: string[] = [];
  isTTY = false;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (error?: Error | null) => void): void {
    this.chunks.push(chunk.toString());
    cb();
  }
  get text(): string {
    return this.chunks.join('');
  }
  get lines(): string[] {
    return this.text.split('\n').filter((line) => line.length > 0);
  }
  json(): Record<string, unknown>[] {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

/** A logger writing JSON lines into a Collector; flush before reading. */
export function collectingLogger(options: Omit<LoggerOptions, 'transports'> = {}): { log: Logger; out: Collector } {
  const out = new Collector();
  const log = createLogger({ exitFlush: false, ...options, transports: [out] });
  return { log, out };
}

export function memoryLogger(options: Omit<LoggerOptions, 'transports'> = {}): { log: Logger; memory: MemoryTransport } {
  const memory = new MemoryTransport({ capacity: 10_000 });
  const log = createLogger({ exitFlush: false, ...options, transports: [memory] });
  return { log, memory };
}
