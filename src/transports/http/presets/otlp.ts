import type { HttpPreset, Verdict } from '../preset.js';
import { takeBack } from './body-buffers.js';
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
  body: (records) => {
    const bytes = otlpBodyBytes(records);
    const text = bytes.toString('utf8');
    takeBack(bytes);
    return text;
  },
  release: (body) => takeBack(body),
  classify(response, records): Verdict | undefined {
    // An empty 2xx is a success with nothing to add (proxies and some collectors send one).
    if (response.status < 200 || response.status >= 300 || response.body.trim() === '') return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.body);
    } catch {
      // A 2xx that is not the collector's answer (a cut body, a proxy's page): whether the
      // records were taken is unknown, so the batch goes again rather than count as delivered.
      // The collector may hold them already: a later delivery counts as a possible duplicate.
      return unreadable('not JSON');
    }
    // An ExportLogsServiceResponse is an object; JSON of any other shape is someone else's answer.
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return unreadable('not an object');
    const partial = (parsed as { partialSuccess?: unknown }).partialSuccess;
    if (partial === undefined || partial === null) return undefined;
    if (typeof partial !== 'object' || Array.isArray(partial)) return unreadable('partialSuccess');
    const { rejectedLogRecords: count, errorMessage } = partial as {
      rejectedLogRecords?: unknown;
      errorMessage?: unknown;
    };
    // An int64: a JSON number or a string of decimal digits (true, [2], "0x1" or 1.5 are none).
    const rejected =
      count === undefined || count === null
        ? 0
        : typeof count === 'number' || (typeof count === 'string' && /^\d+$/.test(count))
          ? Number(count)
          : Number.NaN;
    if (!Number.isInteger(rejected) || rejected < 0) return unreadable('rejectedLogRecords');
    const message =
      typeof errorMessage === 'string' && errorMessage !== '' ? errorMessage : 'rejected by the collector';
    if (rejected === 0) return undefined;
    // The collector says how many, not which: the last ones count as the rejected.
    const failed = new Map<number, Error>();
    for (let i = Math.max(0, records.length - rejected); i < records.length; i++) failed.set(i, new Error(message));
    return { kind: 'partial', failed, retry: [] };
  },
};

/** A 2xx whose body is no ExportLogsServiceResponse: the records may or may not be taken. */
function unreadable(what: string): Verdict {
  const reason = Object.assign(new Error(`the collector answer could not be read: ${what}`), { outcomeUnknown: true });
  return { kind: 'retry', reason };
}
