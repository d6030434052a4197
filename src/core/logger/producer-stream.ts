import { Writable } from 'node:stream';
import type { LoggerTree } from './logger-tree.js';
import type { RecordScope } from '../record/log-record.js';

export interface ProducerStreamOptions {
  /** `ndjson`: bytes holding one JSON record per line; `object`: record objects. */
  format?: 'ndjson' | 'object';
  /** Objects buffered before write() returns false (object mode) or bytes (ndjson). */
  highWaterMark?: number;
}

/**
 * The producer side: a Writable that turns incoming records into log records and waits
 * (holds its write callback) while any `block` target is full, so `pipeline(source,
 * log.stream())` moves at the pace of the slowest blocking destination.
 */
export class ProducerStream extends Writable {
  private partial = '';

  constructor(
    private readonly tree: LoggerTree,
    private readonly scope: RecordScope,
    options: ProducerStreamOptions = {},
  ) {
    const objectMode = (options.format ?? 'ndjson') === 'object';
    super({ objectMode, decodeStrings: !objectMode, highWaterMark: options.highWaterMark });
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.writableObjectMode) this.ingest(chunk);
    else this.ingestText((chunk as Buffer).toString('utf8'), false);
    this.whenRoom(callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.ingestText('', true);
    this.whenRoom(callback);
  }

  private ingestText(text: string, end: boolean): void {
    const lines = (this.partial + text).split('\n');
    this.partial = end ? '' : lines.pop()!;
    for (const line of lines) {
      const trimmed = line.trim();
      if (trimmed.length === 0) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(trimmed);
      } catch {
        parsed = { msg: line, invalidJson: true };
      }
      this.ingest(parsed);
    }
  }

  private ingest(value: unknown): void {
    const object =
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : { msg: String(value) };
    this.tree.ingest(object, this.scope);
  }

  private whenRoom(callback: (error?: Error | null) => void): void {
    const router = this.tree.router;
    if (!router.blocked) {
      callback();
      return;
    }
    router.once('unblocked', () => callback());
  }
}
