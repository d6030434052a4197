import type { BatchStats, BatchTransportOptions } from '../../core/plugin/batch-transport.js';
import type { HttpPreset } from './preset.js';
import type { BodyBytes, SenderOptions } from './sender.js';

export type {
  RetryOptions as HttpRetryOptions,
  SpoolOptions as HttpSpoolOptions,
} from '../../core/plugin/batch-transport.js';
export type { BatchProcessed } from '../../core/plugin/batch-transport.js';

export interface HttpTransportOptions
  extends BatchTransportOptions,
    Partial<Omit<SenderOptions, 'timeoutMs' | 'concurrency' | 'headers' | 'compression'>> {
  headers?: SenderOptions['headers'] | undefined;
  compression?: SenderOptions['compression'] | undefined;
  url: string;
  preset?: HttpPreset | undefined;
}

/** What the HTTP transport adds to stats(): the batch transport's figures, and request bytes before and after gzip. */
export type HttpStats = BatchStats & BodyBytes;
