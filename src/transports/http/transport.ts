import { BatchTransport } from '../../core/plugin/batch-transport.js';
import type { BatchInfo } from '../../core/plugin/batch-transport.js';
import type { Verdict } from '../../core/plugin/batch-outcome.js';
import type { LogRecord } from '../../core/record/log-record.js';
import type { HttpTransportOptions } from './options.js';
import { DEFAULT_RETRYABLE, type HttpPreset, verdictFor } from './preset.js';
import { httpPreset } from './presets/index.js';
import { Sender } from './sender.js';

/**
 * Ships records to an HTTP backend: a BatchTransport whose processor builds the body with a
 * preset, sends it, and reads the answer as a verdict (a network error or a retryable status
 * is tried again, a 413 split, a 400 bisected until the poison records stand alone, a 401
 * opens the circuit). Everything else — batching, retries, the spool, the exit path — is the
 * BatchTransport's.
 */
export class HttpTransport extends BatchTransport {
  override readonly type: string = 'http';
  private readonly sender: Sender;

  constructor(options: HttpTransportOptions) {
    const preset = options.preset ?? httpPreset('ndjson')!({ line: (r) => r.json() });
    const url = preset.url ? preset.url(options.url) : options.url;
    const concurrency = options.concurrency ?? 2;
    const timeoutMs = options.timeoutMs ?? 10_000;
    const sender = new Sender(
      {
        headers: options.headers ?? {},
        timeoutMs,
        compression: options.compression ?? 'none',
        concurrency,
        tls: options.tls,
      },
      url.startsWith('https:'),
    );
    const retryable = preset.retryable ?? DEFAULT_RETRYABLE;
    super((records, info) => deliver(preset, sender, url, retryable, records, info), {
      ...options,
      concurrency,
      // The sender's timeout is per read; this one bounds the whole attempt (a drip-fed answer).
      timeoutMs: timeoutMs * 2,
    });
    this.sender = sender;
  }

  protected override async closeResources(): Promise<void> {
    await super.closeResources();
    this.sender.close();
  }

  override giveUpSync(reason: Error): void {
    super.giveUpSync(reason);
    // Sockets of attempts nobody waits for any more must not keep the process alive.
    this.sender.close();
  }
}

async function deliver(
  preset: HttpPreset,
  sender: Sender,
  url: string,
  retryable: ReadonlySet<number>,
  records: readonly LogRecord[],
  info: BatchInfo,
): Promise<Verdict> {
  let body: string;
  try {
    body = preset.body(records);
  } catch (error) {
    // A preset that cannot build a body is no reason to retry: find the record it chokes on.
    const reason = error instanceof Error ? error : new Error(String(error));
    return { kind: 'bisect', reason: new Error(`the preset threw: ${reason.message}`) };
  }
  const response = await sender.send(url, preset.contentType, body, info.signal);
  return preset.classify?.(response, records) ?? verdictFor(response, retryable);
}
