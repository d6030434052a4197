import type { HttpPreset, Verdict } from '../preset.js';
import { otlpBodyBytes } from './otlp-body.js';

/**
 * OTLP/HTTP JSON: an ExportLogsServiceRequest, records grouped by resource (`service.name`
 * from the record's `name`, `process.pid` and `host.name` from pino's `pid` and `hostname`).
 * Per the OTLP spec only 429, 502, 503 and 504 are retried;
 * `partialSuccess.rejectedLogRecords` counts that many records as failed, not retried.
 * Built from the public record alone (its line, level, label, time and message), as a
 * preset of a user's own can be.
 */
export const otlpPreset: HttpPreset = {
  contentType: 'application/json',
  retryable: new Set([429, 502, 503, 504]),
  // Bytes: a body this large costs more to build as a string and encode than to write as bytes.
  bodyUtf8: (records) => otlpBodyBytes(records),
  body: (records) => otlpBodyBytes(records).toString('utf8'),
  classify(response, records): Verdict | undefined {
    // An empty 2xx is a success with nothing to add (proxies and some collectors send one).
    if (response.status < 200 || response.status >= 300 || response.body.trim() === '') return undefined;
    let rejected = 0;
    let message = 'rejected by the collector';
    try {
      const parsed = JSON.parse(response.body) as {
        partialSuccess?: { rejectedLogRecords?: string | number; errorMessage?: string };
      };
      rejected = Number(parsed.partialSuccess?.rejectedLogRecords ?? 0);
      message = parsed.partialSuccess?.errorMessage || message;
    } catch {
      // A 2xx that is not the collector's answer (a cut body, a proxy's page): whether the
      // records were taken is unknown, so the batch goes again rather than count as delivered.
      // The collector may hold them already: a later delivery counts as a possible duplicate.
      const reason = Object.assign(new Error('the collector answer could not be read: not JSON'), {
        outcomeUnknown: true,
      });
      return { kind: 'retry', reason };
    }
    if (!Number.isFinite(rejected) || rejected < 0) {
      const reason = Object.assign(new Error('the collector answer could not be read: rejectedLogRecords'), {
        outcomeUnknown: true,
      });
      return { kind: 'retry', reason };
    }
    if (rejected === 0) return undefined;
    // The collector says how many, not which: the last ones count as the rejected.
    const failed = new Map<number, Error>();
    for (let i = Math.max(0, records.length - rejected); i < records.length; i++) failed.set(i, new Error(message));
    return { kind: 'partial', failed, retry: [] };
  },
};
